/**
 * The promise checker: finds the commitments a customer reply makes — refunds, credits, cancellations,
 * discounts, dates, guarantees, tax or legal statements — and whether an executed or approved action backs
 * each one. Seed 000's standard: "We will refund this immediately" is a promise nobody has approved;
 * "I drafted a refund request for approval" is not a promise at all.
 *
 * Deterministic patterns, on purpose: the checker guards what a model or template wrote, so it must not be
 * a model itself. It errs towards flagging; a flagged reply routes to a person (messaging.send).
 */

/** What kind of commitment a phrase makes. */
export type PromiseKind = 'refund' | 'credit' | 'cancellation' | 'discount' | 'date' | 'guarantee' | 'tax' | 'legal';

/** One commitment found in a text. */
export interface PromiseFinding {
  kind: PromiseKind;
  /** The sentence it was found in. */
  text: string;
  backed: boolean;
  note: string;
}

/** An action that can back a promise: an executed or approved proposal. */
export interface PromiseBacking {
  kind: string;
  status: string;
  proposalId: string;
}

const WILL = String.raw`\b(?:we|i|our team)(?:'ll|\s+will|\s+shall|\s+are going to|\s+am going to|\s+have|'ve|\s+can)\s+(?:\w+\s+){0,3}?`;

/** Patterns by kind; each runs on one sentence at a time. */
const PATTERNS: [PromiseKind, RegExp][] = [
  ['refund', new RegExp(`${WILL}(?:refund|reimburse|return\\s+(?:the|your)\\s+(?:money|payment))(?!\\s+request)`, 'i')],
  [
    'refund',
    /\byou(?:'ll|\s+will)\s+(?:\w+\s+){0,2}(?:get|receive|see)\s+(?:a\s+|your\s+|the\s+)?(?:full\s+)?refund\b/i,
  ],
  ['refund', /\brefund(?:ed)?\s+(?:\w+\s+){0,2}(?:immediately|today|right away|straight away)\b/i],
  ['credit', new RegExp(`${WILL}(?:credit|waive|comp)\\b`, 'i')],
  ['credit', /\byou(?:'ll|\s+will)\s+(?:\w+\s+){0,2}(?:get|receive)\s+(?:a\s+)?credit\b/i],
  ['cancellation', new RegExp(`${WILL}(?:cancel|terminate|close)\\b`, 'i')],
  ['discount', new RegExp(`${WILL}(?:give|apply|offer)\\s+(?:you\\s+)?(?:a\\s+)?(?:\\d+\\s?%|discount|free)`, 'i')],
  [
    'date',
    /\b(?:by|within|before|no later than)\s+(?:tomorrow|today|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|next week|the end of (?:the )?(?:day|week|month)|\d+\s+(?:business\s+|working\s+)?(?:hours?|days?|weeks?))\b/i,
  ],
  ['date', /\b(?:immediately|right away|straight away)\b/i],
  ['guarantee', /\bguarantee(?:d|s)?\b|\bwe promise\b|\b100\s?%\s+(?:sure|certain)\b|\bdefinitely\s+(?:will|be)\b/i],
  [
    'tax',
    /\b(?:tax[- ]deductible|vat[- ]exempt|tax[- ]exempt|reverse[- ]charge applies|(?:no|zero)\s+(?:vat|gst|sales tax|tax)\s+(?:is\s+)?(?:due|applies|applicable|charged)|you\s+(?:do not|don't)\s+(?:need to\s+)?(?:pay|owe)\s+(?:vat|gst|sales tax|tax))\b/i,
  ],
  ['legal', /\b(?:legally|liable|liability|lawsuit|breach of contract|you are entitled|entitled to a)\b/i],
];

/** The action kind that can back each commitment; dates, guarantees, tax and legal claims need a person. */
const BACKED_BY: Partial<Record<PromiseKind, string>> = {
  refund: 'money.refund',
  credit: 'money.credit',
  cancellation: 'billing.cancel',
  discount: 'billing.change',
};

const SETTLED = new Set(['succeeded', 'approved', 'executing']);

/** Splits a text into sentences (good enough for replies: ., !, ? and line breaks end one). */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

/** Every commitment in `text`, each marked backed or not by `backing`. */
export function checkPromises(text: string, backing: readonly PromiseBacking[] = []): PromiseFinding[] {
  const findings: PromiseFinding[] = [];
  for (const sentence of sentences(text)) {
    const kinds = new Set<PromiseKind>();
    for (const [kind, pattern] of PATTERNS) if (pattern.test(sentence)) kinds.add(kind);
    for (const kind of kinds) {
      const actionKind = BACKED_BY[kind];
      const backer = actionKind
        ? backing.find((action) => action.kind === actionKind && SETTLED.has(action.status))
        : undefined;
      findings.push({
        kind,
        text: sentence,
        backed: backer !== undefined,
        note: backer
          ? `backed by ${backer.proposalId} (${backer.status})`
          : actionKind
            ? `no executed or approved ${actionKind} action backs this`
            : kind === 'tax' || kind === 'legal'
              ? 'a tax or legal statement needs legal review'
              : 'a date or guarantee is a promise no action can back',
      });
    }
  }
  return findings;
}

/** True when a finding commits the business to money, a change or a date nobody approved. */
export function makesBillingPromise(findings: readonly PromiseFinding[]): boolean {
  return findings.some((finding) => !finding.backed && finding.kind !== 'tax' && finding.kind !== 'legal');
}

/** True when a finding makes a tax or legal claim. */
export function makesTaxOrLegalClaim(findings: readonly PromiseFinding[]): boolean {
  return findings.some((finding) => finding.kind === 'tax' || finding.kind === 'legal');
}
