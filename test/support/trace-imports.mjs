// `node --import ./test/support/trace-imports.mjs …`: appends every module the process resolves to the file named
// by LEASH_TRACE_IMPORTS, so a test can say what a command loaded.
import { register } from 'node:module';

register('./trace-imports-hooks.mjs', import.meta.url, { data: { file: process.env.LEASH_TRACE_IMPORTS } });
