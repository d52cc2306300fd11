/**
 * A validation issue (zod's shape, read without importing zod) as a sentence a person understands: "must be a
 * number", "must be at least 1", "unknown field bogus", instead of "Invalid input: expected number, received
 * string". Messages the schemas wrote themselves (custom checks) are kept as they are.
 */

/** What a sentence needs of a validation issue. */
export interface InputIssue {
  code?: string;
  message?: string;
  expected?: unknown;
  origin?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  inclusive?: boolean;
  keys?: unknown;
  values?: unknown;
  format?: unknown;
}

const ARTICLE = /^[aeiou]/;

function limit(issue: InputIssue, bound: unknown, word: 'least' | 'most'): string {
  const value = typeof bound === 'bigint' ? bound.toString() : String(bound);
  const strict = issue.inclusive === false;
  if (issue.origin === 'string') return `must be at ${word} ${value} character${value === '1' ? '' : 's'} long`;
  if (issue.origin === 'array' || issue.origin === 'set')
    return `must have at ${word} ${value} item${value === '1' ? '' : 's'}`;
  if (strict) return `must be ${word === 'least' ? 'more' : 'less'} than ${value}`;
  return `must be at ${word} ${value}`;
}

/** zod's own wording ("Too small: expected string…", "Invalid input: …"), as opposed to a schema's message. */
const ZOD_WORDING = /^(?:Too (?:small|big)|Invalid |Unrecognized key|Expected )/;

/** The issue as a sentence (without the field name, which the caller puts in front). */
export function issueSentence(issue: InputIssue | undefined): string {
  if (!issue) return 'is not valid';
  // A message the schema wrote itself ("the reply is empty") already says it as a person would.
  if (issue.message && !ZOD_WORDING.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = String(issue.expected ?? 'value');
      if (expected === 'undefined' || expected === 'never') return 'is not accepted here';
      if (/received undefined$/.test(issue.message ?? '')) return 'is required';
      return `must be ${ARTICLE.test(expected) ? 'an' : 'a'} ${expected}`;
    }
    case 'too_small':
      return limit(issue, issue.minimum, 'least');
    case 'too_big':
      return limit(issue, issue.maximum, 'most');
    case 'unrecognized_keys': {
      const keys = Array.isArray(issue.keys) ? issue.keys.map(String) : [];
      return `unknown field${keys.length === 1 ? '' : 's'} ${keys.join(', ')}`;
    }
    case 'invalid_value':
    case 'invalid_enum_value': {
      const values = Array.isArray(issue.values) ? issue.values.map(String) : [];
      return values.length > 0 ? `must be one of ${values.join(', ')}` : (issue.message ?? 'is not valid');
    }
    case 'invalid_format':
      return `must be a valid ${String(issue.format ?? 'value').replaceAll('_', ' ')}`;
    default:
      return issue.message ?? 'is not valid';
  }
}
