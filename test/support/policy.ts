/** Gates for tests: the shipped policies plus one extra Cedar file, loaded like `leash start` loads them. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Gate, loadGate } from '../../src/policy/decide.ts';

/** Loads the shipped policies with `extra` added as its own file. */
export async function gateWith(extra: string): Promise<Gate> {
  const dir = mkdtempSync(join(tmpdir(), 'leash-policy-'));
  for (const file of readdirSync('policies')) {
    if (!file.endsWith('.cedar') && !file.endsWith('.cedarschema') && !file.endsWith('.yaml')) continue;
    writeFileSync(join(dir, file), readFileSync(join('policies', file)));
  }
  writeFileSync(join(dir, 'zz-test.cedar'), extra);
  return loadGate(dir);
}
