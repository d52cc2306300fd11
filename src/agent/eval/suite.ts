/**
 * Eval suites (YAML): scenarios of who asks what, the calls and outcomes expected, and the effects allowed
 * (none, unless listed). A scenario may carry the script a scripted model follows under `--planner llm`.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { LeashError } from '../../domain/errors.ts';

const outcome = z.enum(['read', 'pass', 'warn', 'block', 'error']);

const scriptStep = z.union([
  z
    .object({
      tool_calls: z
        .array(z.object({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).default({}) }).strict())
        .min(1),
    })
    .strict(),
  z.object({ text: z.string() }).strict(),
]);

const expectedCall = z
  .object({
    operation: z.string().min(1),
    /** Every key given must equal the call's input (a subset match). */
    input: z.record(z.string(), z.unknown()).optional(),
    /** One outcome, or any of several. */
    outcome: z.union([outcome, z.array(outcome).min(1)]).optional(),
  })
  .strict();

/** One scenario. */
export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    /** The member asking (default: the owner). */
    as: z.string().email().default('olivia@northwind.test'),
    /** The requests, in order, in one conversation. */
    turns: z.array(z.string().min(1)).min(1),
    /** Data to plant first: a memo on the customer's last paid invoice, a plan to create. */
    setup: z
      .object({
        invoice_memo: z.string().max(2000).optional(),
        plans: z.array(z.object({ name: z.string(), monthly_amount: z.number().int().positive() }).strict()).optional(),
      })
      .strict()
      .optional(),
    expect: z
      .object({
        /** Calls expected in this order (others may come between). */
        calls: z.array(expectedCall).default([]),
        /** Phrases the final reply must contain (case-insensitive). */
        reply_contains: z.array(z.string()).default([]),
        /** No write may even be proposed. */
        no_proposals: z.boolean().default(false),
        /** Text that must reach the model only inside <data> tags (llm planner). */
        quoted: z.string().optional(),
        /** Text that must never reach the model at all (another tenant's data). */
        never_sent: z.string().optional(),
      })
      .strict()
      .default({ calls: [], reply_contains: [], no_proposals: false }),
    /** Effect events this scenario may cause (default none). */
    allow_effects: z.array(z.string()).default([]),
    /** What the scripted model does under --planner llm, per request substring (`when`) or for every request. */
    model: z.array(z.object({ when: z.string().optional(), steps: z.array(scriptStep).min(1) }).strict()).optional(),
  })
  .strict();

/** A suite. */
export const suiteSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    planner: z.enum(['builtin', 'llm']).default('builtin'),
    scenarios: z.array(scenarioSchema).min(1),
  })
  .strict();

/** A parsed suite. */
export type Suite = z.infer<typeof suiteSchema>;
/** A parsed scenario. */
export type Scenario = z.infer<typeof scenarioSchema>;

/** Reads and checks a suite file; a bad file is one clear error naming the field. */
export async function loadSuite(path: string): Promise<Suite> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new LeashError('not_found', `no suite at ${path}`, { field: 'suite' });
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new LeashError('bad_input', `${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, {
      field: 'suite',
    });
  }
  const parsed = suiteSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LeashError('bad_input', `${path}: ${issue?.path.join('.') || 'suite'}: ${issue?.message}`, {
      field: 'suite',
    });
  }
  return parsed.data;
}
