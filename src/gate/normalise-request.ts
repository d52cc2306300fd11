/**
 * Normalises a gate request's values (seed 004: "wrong JSON types → WARN: Schema mismatch. Proceeding with
 * enforcement using normalized input"). Required context fields are strings: a number or boolean becomes its text
 * and is reported; null, an object or a list cannot stand for a string and counts as missing (fail closed).
 * `ai_output` is an object: text becomes `{ text }`, any other value `{ value }`, both reported.
 */

/** A request as the route hands it over (its shape already checked: an object with string kind and type). */
export interface GateRequestBody {
  action_kind: string;
  action_type: string;
  ai_output?: unknown;
  context?: Record<string, unknown> | undefined;
}

/** The request after normalisation, with every field that had to change. */
export interface NormalisedRequest {
  actionKind: string;
  actionType: string;
  aiOutput: Record<string, unknown>;
  context: Record<string, unknown>;
  /** `context.account_id`, `ai_output`, …: each value that was not of its documented type. */
  mismatches: string[];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Normalises `body`; `requiredFields` are the context fields typed as strings for its kind. */
export function normaliseRequest(body: GateRequestBody, requiredFields: readonly string[]): NormalisedRequest {
  const mismatches: string[] = [];
  const context: Record<string, unknown> = { ...(body.context ?? {}) };
  for (const field of requiredFields) {
    const value = context[field];
    if (value === undefined || typeof value === 'string') continue;
    mismatches.push(`context.${field}`);
    if (typeof value === 'number' || typeof value === 'boolean') context[field] = String(value);
    else delete context[field];
  }
  let aiOutput: Record<string, unknown> = {};
  const output = body.ai_output;
  if (isPlainObject(output)) aiOutput = output;
  else if (output !== undefined) {
    mismatches.push('ai_output');
    if (output !== null) aiOutput = typeof output === 'string' ? { text: output } : { value: output };
  }
  const money = normaliseAmount(aiOutput);
  if (money.changed) {
    mismatches.push('ai_output.amount');
    aiOutput = { ...aiOutput, amount: money.amount };
  }
  return { actionKind: body.action_kind, actionType: body.action_type, aiOutput, context, mismatches };
}

/** An amount sent as digits in text becomes the integer it spells. */
function normaliseAmount(aiOutput: Record<string, unknown>): { changed: boolean; amount?: number } {
  const amount = aiOutput.amount;
  if (typeof amount === 'string' && /^\d{1,15}$/.test(amount)) return { changed: true, amount: Number(amount) };
  return { changed: false };
}

/** The context fields of `required` that are missing or empty after normalisation. */
export function missingFields(context: Record<string, unknown>, required: readonly string[]): string[] {
  return required.filter((field) => {
    const value = context[field];
    return typeof value !== 'string' || value.trim().length === 0;
  });
}
