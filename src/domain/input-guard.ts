/**
 * Input as every surface accepts it: no U+0000 and no lone UTF-16 surrogate in any string or key (PostgreSQL can
 * store neither, and neither is text a person meant), and no nesting deeper than {@link MAX_NESTING}. Checked
 * before any transaction, the first problem named by its field path (`customer.name`, `lines.0.description`), so a
 * hostile payload is bad input instead of a failure deep inside a query. The walk is iterative: a body nested
 * 50,000 deep cannot overflow the stack here.
 */
import { badInput, type LeashError } from './errors.ts';

/** Deepest nesting of objects and arrays any surface accepts (operations allow far less; see parse-input.ts). */
export const MAX_NESTING = 64;

/** What is wrong with a value. */
export type InputProblem = 'nul' | 'lone_surrogate' | 'too_deep';

/** The first problem found, and where. */
export interface InputRefusal {
  /** The field path, dot-separated; unsafe characters in keys shown escaped. */
  field: string;
  problem: InputProblem;
  /** What a person reads, without the field. */
  message: string;
}

const MESSAGES: Record<InputProblem, string> = {
  nul: 'contains a NUL character (U+0000), which is not accepted in text',
  lone_surrogate: 'contains a lone UTF-16 surrogate, which is not valid Unicode text',
  too_deep: `is nested deeper than ${MAX_NESTING} levels`,
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Longest key shown in a field path. */
const KEY_SHOWN = 64;

/** What is wrong with one piece of text, if anything. */
export function textProblem(text: string): InputProblem | null {
  if (text.includes('\u0000')) return 'nul';
  return LONE_SURROGATE.test(text) ? 'lone_surrogate' : null;
}

/** A key as a field path shows it: NUL and surrogates escaped (`\u0000`), long keys cut. */
function shownKey(key: string): string {
  let shown = '';
  for (let index = 0; index < key.length && shown.length < KEY_SHOWN; index += 1) {
    const code = key.charCodeAt(index);
    shown += code === 0 || (code >= 0xd800 && code <= 0xdfff) ? `\\u${code.toString(16).padStart(4, '0')}` : key[index];
  }
  return shown.length >= KEY_SHOWN ? `${shown.slice(0, KEY_SHOWN - 1)}…` : shown;
}

interface Frame {
  value: unknown;
  key: string | null;
  parent: Frame | null;
  depth: number;
}

function pathOf(frame: Frame, root: string): string {
  const keys: string[] = [];
  for (let at: Frame | null = frame; at && at.key !== null; at = at.parent) keys.push(shownKey(at.key));
  return keys.length > 0 ? keys.reverse().join('.') : root;
}

function refusal(frame: Frame, root: string, problem: InputProblem): InputRefusal {
  return { field: pathOf(frame, root), problem, message: MESSAGES[problem] };
}

/**
 * The first NUL, lone surrogate or too-deep nesting in `value` (strings, keys, arrays, plain objects; raw bytes
 * such as a Buffer are not fields and are skipped), in document order; null when the value is clean. `root` names
 * the value itself when the problem is at the top (a bare string body).
 */
export function findUnsafeInput(value: unknown, root = 'input'): InputRefusal | null {
  const stack: Frame[] = [{ value, key: null, parent: null, depth: 0 }];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const current = frame.value;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) return refusal(frame, root, problem);
      continue;
    }
    if (current === null || typeof current !== 'object' || ArrayBuffer.isView(current)) continue;
    if (frame.depth >= MAX_NESTING) return refusal(frame, root, 'too_deep');
    const entries: [string, unknown][] = Array.isArray(current)
      ? current.map((item, index) => [String(index), item])
      : Object.entries(current);
    const children: Frame[] = [];
    for (const [key, item] of entries) {
      const child: Frame = { value: item, key, parent: frame, depth: frame.depth + 1 };
      const problem = textProblem(key);
      if (problem) return refusal(child, root, problem);
      children.push(child);
    }
    // Reversed onto the stack, so the first field is looked at first.
    for (let index = children.length - 1; index >= 0; index -= 1) stack.push(children[index] as Frame);
  }
  return null;
}

/** The refusal of a value nested too deep, for `field`. */
export function tooDeepRefusal(field: string): InputRefusal {
  return { field, problem: 'too_deep', message: MESSAGES.too_deep };
}

/** Throws bad input naming the field when `value` holds a NUL, a lone surrogate or too-deep nesting. */
export function assertSafeInput(value: unknown, root = 'input'): void {
  const found = findUnsafeInput(value, root);
  if (found) throw refusedInputError(found);
}

/** The bad-input error for a refusal. */
export function refusedInputError(found: InputRefusal): LeashError {
  const error = badInput(found.field, found.message);
  error.details.problem = found.problem;
  return error;
}

/**
 * True when JSON text nests objects and arrays deeper than `limit`: a scan of the raw text (brackets inside
 * strings do not count), so a body can be refused before anything parses or walks it.
 */
export function jsonNestedDeeperThan(text: string, limit = MAX_NESTING): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index += 1; // a backslash escapes the next character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (code === 0x5d || code === 0x7d) depth -= 1;
  }
  return false;
}
