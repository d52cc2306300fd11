/** Gates for tests: the shipped policies with one extra Cedar file, or with edited rules, loaded like `leash start` does. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { type Gate, loadGate } from '../../src/policy/decide.ts';

function copyPolicies(): string {
  const dir = mkdtempSync(join(tmpdir(), 'leash-policy-'));
  for (const file of readdirSync('policies')) {
    if (!file.endsWith('.cedar') && !file.endsWith('.cedarschema') && !file.endsWith('.yaml')) continue;
    writeFileSync(join(dir, file), readFileSync(join('policies', file)));
  }
  return dir;
}

/** Loads the shipped policies with `extra` added as its own file. */
export async function gateWith(extra: string): Promise<Gate> {
  const dir = copyPolicies();
  writeFileSync(join(dir, 'zz-test.cedar'), extra);
  return loadGate(dir);
}

/** Loads the shipped policies with rules.yaml changed by `edit`. */
export async function gateWithRules(edit: (rules: Record<string, unknown>) => void): Promise<Gate> {
  const dir = copyPolicies();
  const rules = parse(readFileSync(join(dir, 'rules.yaml'), 'utf8')) as Record<string, unknown>;
  edit(rules);
  writeFileSync(join(dir, 'rules.yaml'), stringify(rules));
  return loadGate(dir);
}
