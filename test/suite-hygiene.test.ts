/**
 * Rules the suite itself keeps so that it passes on PostgreSQL when files run in parallel. Kysely's migrator lists
 * the columns of every schema in the database while it migrates; a schema dropped by one test file meanwhile makes
 * another file's migration fail ("schema … does not exist"), as CI saw at stop 26. So no test drops a schema:
 * schemas are named with `testSchemaName` and global-setup.ts drops the run's schemas once every file is done.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const TEST = resolve('test');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('suite hygiene on PostgreSQL', () => {
  const sources = files(TEST)
    .map((path) => ({ path: relative(TEST, path), text: readFileSync(path, 'utf8') }))
    .filter(({ path }) => path !== 'suite-hygiene.test.ts');

  it('no test file drops a schema (only global-setup does, after the run)', () => {
    const dropping = sources
      .filter(({ path, text }) => path !== 'support/global-setup.ts' && /drop schema/i.test(text))
      .map(({ path }) => path);
    expect(sources.length).toBeGreaterThan(100);
    expect(dropping).toEqual([]);
  });

  it("every schema a test names carries the run's prefix, so global-setup finds and drops it", () => {
    const unprefixed = sources.filter(({ text }) => /const schema = `/.test(text)).map(({ path }) => path);
    expect(unprefixed).toEqual([]);
  });
});
