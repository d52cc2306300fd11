/**
 * Loads the policy directory once: every `*.cedar` file (policy ids from their `@id` annotations), the schema,
 * and `rules.yaml`. Policies are validated against the schema and pre-parsed for fast decisions. Problems do not
 * throw: they make a gate that blocks every write (fail closed) and say what is wrong.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { parse as parseYaml } from 'yaml';
import { LeashError } from '../domain/errors.ts';
import { createGate, type Gate } from './decide.ts';
import { type PolicyRules, rulesSchema } from './rules.ts';

/** The policies shipped with Leash. */
export const DEFAULT_POLICY_DIR = resolve(fileURLToPath(new URL('../../policies', import.meta.url)));

let loads = 0;

/** What a policy directory holds, parsed but not yet loaded into Cedar. */
export interface PolicyFiles {
  policies: Record<string, string>;
  schema: string;
  rules: PolicyRules | null;
  problems: string[];
  version: string;
}

/** Reads and checks a policy directory without loading it; `checkCache` may skip re-checking an unchanged one. */
export function readPolicyFiles(policyDir: string = DEFAULT_POLICY_DIR, checkCache?: string): PolicyFiles {
  const problems: string[] = [];
  const hash = createHash('sha256');
  let files: string[] | undefined;
  try {
    files = readdirSync(policyDir)
      .filter((file) => file.endsWith('.cedar') || file === 'schema.cedarschema' || file === 'rules.yaml')
      .sort();
  } catch (error) {
    problems.push(`cannot read ${policyDir}: ${(error as Error).message}`);
  }
  const texts = new Map<string, string>();
  for (const file of files ?? []) {
    try {
      texts.set(file, readFileSync(join(policyDir, file), 'utf8'));
    } catch (error) {
      problems.push(`${file}: cannot read: ${(error as Error).message}`);
    }
  }
  for (const [file, text] of texts) hash.update(`${file}\n${text}\n`);
  const version = hash.digest('hex');
  const schema = texts.get('schema.cedarschema') ?? '';
  let rules: PolicyRules | null = null;
  const rulesText = texts.get('rules.yaml');
  if (rulesText !== undefined) {
    try {
      const parsed = rulesSchema.safeParse(parseYaml(rulesText));
      if (parsed.success) rules = parsed.data;
      else
        problems.push(
          `rules.yaml: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
        );
    } catch (error) {
      problems.push(`rules.yaml: ${(error as Error).message}`);
    }
  }
  const cacheKey = `${cedar.getCedarSDKVersion()}:${version}`;
  const cached = checkCache ? readCleanCheck(checkCache, cacheKey) : undefined;
  const checked = cached ?? checkPolicies(texts, schema);
  problems.push(...checked.problems);
  if (files && !files.some((file) => file.endsWith('.cedar'))) problems.push(`no .cedar policy files in ${policyDir}`);
  if (!schema) problems.push('schema.cedarschema is missing');
  if (!rules && !problems.some((problem) => problem.startsWith('rules.yaml'))) problems.push('rules.yaml is missing');
  if (checkCache && !cached && checked.problems.length === 0) writeCleanCheck(checkCache, cacheKey, checked.policies);
  return { policies: checked.policies, schema, rules, problems, version };
}

/** Splits the `.cedar` files into policies by id and validates them against the schema (strict). */
function checkPolicies(
  texts: Map<string, string>,
  schema: string,
): { policies: Record<string, string>; problems: string[] } {
  const problems: string[] = [];
  const policies: Record<string, string> = {};
  for (const [file, text] of texts) {
    if (!file.endsWith('.cedar')) continue;
    const parts = cedar.policySetTextToParts(text);
    if (parts.type === 'failure') {
      problems.push(`${file}: ${parts.errors.map((error) => error.message).join('; ')}`);
      continue;
    }
    parts.policies.forEach((policy, index) => {
      const json = cedar.policyToJson(policy);
      const id = json.type === 'success' ? json.json.annotations?.id : undefined;
      const policyId = typeof id === 'string' && id ? id : `${file}#${index}`;
      if (policies[policyId]) problems.push(`${file}: policy id "${policyId}" is used twice`);
      policies[policyId] = policy;
    });
  }
  if (schema && Object.keys(policies).length > 0) {
    const validation = cedar.validate({
      schema,
      policies: { staticPolicies: policies },
      validationSettings: { mode: 'strict' },
    });
    if (validation.type === 'failure')
      problems.push(...validation.errors.map((error) => `validation: ${error.message}`));
    else problems.push(...validation.validationErrors.map((error) => `${error.policyId}: ${error.error.message}`));
  }
  return { policies, problems };
}

/**
 * A clean check of exactly these policy texts by this Cedar version, kept so the next command need not repeat
 * the strict validation (most of a CLI command's start). Only a clean result is kept: a policy set with problems
 * is checked every time and fails closed every time.
 */
function readCleanCheck(file: string, key: string): { policies: Record<string, string>; problems: [] } | undefined {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { key?: unknown; policies?: unknown };
    if (saved.key !== key || typeof saved.policies !== 'object' || saved.policies === null) return undefined;
    const policies = Object.fromEntries(
      Object.entries(saved.policies).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
    return Object.keys(policies).length > 0 ? { policies, problems: [] } : undefined;
  } catch {
    return undefined;
  }
}

function writeCleanCheck(file: string, key: string, policies: Record<string, string>): void {
  try {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ key, policies }), { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // A cache that cannot be written only costs the next command the check.
  }
}

/** Loads the gate from a policy directory (default: the shipped `policies/`, or LEASH_POLICY_DIR). */
export async function loadGate(
  policyDir: string | undefined = process.env.LEASH_POLICY_DIR,
  options: { checkCache?: string | undefined } = {},
): Promise<Gate> {
  const files = readPolicyFiles(policyDir || DEFAULT_POLICY_DIR, options.checkCache);
  loads += 1;
  const policySetId = `policies_${loads}_${files.version.slice(0, 12)}`;
  const schemaName = `schema_${loads}_${files.version.slice(0, 12)}`;
  const problems = [...files.problems];
  if (files.schema) {
    const parsed = cedar.preparseSchema(schemaName, files.schema);
    if (parsed.type === 'failure') problems.push(`schema: ${parsed.errors.map((error) => error.message).join('; ')}`);
  }
  const parsed = cedar.preparsePolicySet(policySetId, { staticPolicies: files.policies });
  if (parsed.type === 'failure') problems.push(`policies: ${parsed.errors.map((error) => error.message).join('; ')}`);
  return createGate({
    policySetId,
    schemaName,
    rules: files.rules,
    problems,
    version: files.version,
    policies: files.policies,
    schema: files.schema,
  });
}

/** The policy directory in force: LEASH_POLICY_DIR, else the policies shipped with Leash. */
export function policyDirInForce(environment: NodeJS.ProcessEnv = process.env): string {
  return resolve(environment.LEASH_POLICY_DIR || DEFAULT_POLICY_DIR);
}

/**
 * Refuses to serve on a policy with problems: a long-running server (`leash start`, `leash mcp`) that started on a
 * missing or broken policy file would look healthy while blocking every write. Bad input (exit 2), naming the
 * directory and every problem (the file and its error).
 */
export function refuseBrokenPolicy(
  gate: Gate,
  policyDir: string = policyDirInForce(),
  consequence = 'Leash will not start',
): Gate {
  if (gate.rules && gate.problems.length === 0) return gate;
  const problems = gate.problems.length > 0 ? gate.problems : ['rules.yaml did not load'];
  throw new LeashError(
    'bad_input',
    `the policy in ${policyDir} has problems, so ${consequence} (fix them, then \`leash policy check\`): ${problems.join('; ')}`,
    { field: 'LEASH_POLICY_DIR', policyDir, problems },
  );
}

/** The profile a new org gets: the rules file's `default_profile`; a broken policy refuses (see refuseBrokenPolicy). */
export function defaultProfileOf(gate: Gate, policyDir: string = policyDirInForce()): PolicyRules['default_profile'] {
  const { rules } = refuseBrokenPolicy(gate, policyDir, 'no org can be created');
  if (!rules) throw new LeashError('internal', 'a checked policy has no rules');
  return rules.default_profile;
}
