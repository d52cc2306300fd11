#!/usr/bin/env node
// Runs a TypeScript entry file (bench, scripts) through tsx: `node bin/run-ts.js bench/index.ts`.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const [entry] = process.argv.splice(2, 1);
if (!entry) {
  console.error('usage: node bin/run-ts.js FILE.ts [args…]');
  process.exit(2);
}
await import(pathToFileURL(resolve(entry)).href);
