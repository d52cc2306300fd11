#!/usr/bin/env node
// The `leash` command: the compiled CLI in dist/ (built by `npm run build`, which npm install and npm pack run).
// A source checkout without a build runs the TypeScript through tsx instead (development only, slower).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(compiled) && !process.env.LEASH_FROM_SOURCE) {
  await import(compiled.href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('leash: dist/ is missing and tsx is not installed: run `npm run build` first\n');
    process.exit(1);
  }
  register();
  await import('../src/cli/main.ts');
}
