/**
 * The claim checker against labelled reply drafts (data/claims/drafts.yaml, data/claims/drafts-dev.yaml, and the
 * held-out sets in the same format): precision and recall at the draft level (unsafe is the positive class; a draft is predicted unsafe
 * when any finding is unbacked) and at the sentence level (a labelled unbacked sentence against the sentences
 * of unbacked findings), and the time to check one draft.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  type BackingStatus,
  type ClaimBacking,
  type ClaimFinding,
  checkClaims,
  type ReplyCustomer,
  unbackedClaims,
} from '../src/policy/claim-checker.ts';
import { type Latency, summarise } from './stats.ts';

/** One labelled draft, as the YAML file holds it. */
export interface LabelledDraft {
  id: string;
  customer: string;
  backing: {
    operation: string;
    customer: string;
    amount: number | null;
    currency: string | null;
    status: BackingStatus;
  }[];
  unsafe: boolean;
  unbacked: string[];
  text: string;
}

/** Precision, recall and the counts behind them. */
export interface PrecisionRecall {
  precision: number;
  recall: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

/** What {@link scoreDrafts} reports for one file. */
export interface DraftScores {
  path: string;
  drafts: number;
  unsafe: number;
  draftLevel: PrecisionRecall & { trueNegatives: number };
  sentenceLevel: PrecisionRecall;
  /** Drafts scored wrong, for a person to read. */
  mistakes: { id: string; expected: boolean; findings: Pick<ClaimFinding, 'sentence' | 'kind' | 'why'>[] }[];
  /** Labelled unbacked sentences no finding flagged, and flagged sentences no label names. */
  missedSentences: { id: string; sentence: string }[];
  extraSentences: { id: string; sentence: string }[];
}

/** Reads a file of labelled drafts. */
export function loadDrafts(path: string): LabelledDraft[] {
  const parsed = parseYaml(readFileSync(path, 'utf8')) as unknown;
  if (!Array.isArray(parsed)) throw new Error(`${path}: expected a list of drafts`);
  return parsed as LabelledDraft[];
}

/** The reply's customer and the checker's backing for a labelled draft. */
export function draftContext(draft: LabelledDraft): { customer: ReplyCustomer; backing: ClaimBacking[] } {
  const who = (reference: string) =>
    reference.startsWith('cus_') ? { customerId: reference } : { customerName: reference };
  const customer = draft.customer.startsWith('cus_') ? { id: draft.customer } : { name: draft.customer };
  const backing = (draft.backing ?? []).map((action): ClaimBacking => {
    const currency = action.currency?.toLowerCase() ?? null;
    const amount =
      action.amount === null || action.amount === undefined
        ? {}
        : currency === 'percent' || currency === '%'
          ? { percent: action.amount }
          : currency === 'months' || currency === 'month'
            ? { months: action.amount }
            : { amount: action.amount, currency };
    return { operation: action.operation, status: action.status, ...who(String(action.customer ?? '')), ...amount };
  });
  return { customer, backing };
}

/** Runs the checker on one labelled draft. */
export function checkDraft(draft: LabelledDraft): ClaimFinding[] {
  return checkClaims(draft.text, draftContext(draft));
}

const normal = (sentence: string) =>
  sentence
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/\s+/g, ' ')
    .replace(/[\s.!?]+$/, '')
    .trim();
const overlaps = (a: string, b: string) => a.includes(b) || b.includes(a);

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 1 : numerator / denominator;
}

/** Scores the claim checker on the labelled drafts in `path` (any file in the data/claims/drafts.yaml format). */
export function scoreDrafts(path: string): DraftScores {
  const drafts = loadDrafts(path);
  const counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const sentences = { tp: 0, fp: 0, fn: 0 };
  const mistakes: DraftScores['mistakes'] = [];
  const missedSentences: DraftScores['missedSentences'] = [];
  const extraSentences: DraftScores['extraSentences'] = [];
  for (const draft of drafts) {
    const findings = checkDraft(draft);
    const unbacked = unbackedClaims(findings);
    const predicted = unbacked.length > 0;
    if (predicted && draft.unsafe) counts.tp += 1;
    else if (predicted) counts.fp += 1;
    else if (draft.unsafe) counts.fn += 1;
    else counts.tn += 1;
    if (predicted !== draft.unsafe)
      mistakes.push({
        id: draft.id,
        expected: draft.unsafe,
        findings: findings.map(({ sentence, kind, why }) => ({ sentence, kind, why })),
      });
    const labelled = (draft.unbacked ?? []).map(normal);
    const flagged = [...new Set(unbacked.map((finding) => normal(finding.sentence)))];
    for (const sentence of labelled) {
      if (flagged.some((candidate) => overlaps(candidate, sentence))) sentences.tp += 1;
      else {
        sentences.fn += 1;
        missedSentences.push({ id: draft.id, sentence });
      }
    }
    for (const sentence of flagged)
      if (!labelled.some((candidate) => overlaps(candidate, sentence))) {
        sentences.fp += 1;
        extraSentences.push({ id: draft.id, sentence });
      }
  }
  return {
    path,
    drafts: drafts.length,
    unsafe: drafts.filter((draft) => draft.unsafe).length,
    draftLevel: {
      precision: ratio(counts.tp, counts.tp + counts.fp),
      recall: ratio(counts.tp, counts.tp + counts.fn),
      truePositives: counts.tp,
      falsePositives: counts.fp,
      falseNegatives: counts.fn,
      trueNegatives: counts.tn,
    },
    sentenceLevel: {
      precision: ratio(sentences.tp, sentences.tp + sentences.fp),
      recall: ratio(sentences.tp, sentences.tp + sentences.fn),
      truePositives: sentences.tp,
      falsePositives: sentences.fp,
      falseNegatives: sentences.fn,
    },
    mistakes,
    missedSentences,
    extraSentences,
  };
}

/** Time to check one draft (sentences, patterns, amounts, backing), over every draft of `path` `rounds` times. */
export function timeDrafts(path: string, rounds: number): Latency {
  const drafts = loadDrafts(path).map((draft) => ({ text: draft.text, context: draftContext(draft) }));
  for (const draft of drafts) checkClaims(draft.text, draft.context);
  const durations: number[] = [];
  for (let round = 0; round < rounds; round += 1)
    for (const draft of drafts) {
      const started = performance.now();
      checkClaims(draft.text, draft.context);
      durations.push(performance.now() - started);
    }
  return summarise(durations);
}

/**
 * The sets the bench scores, each reported on its own: the labelled set the checker was first tuned on, the
 * development set written afterwards in other voices (data/claims/drafts-dev.yaml, tuned on too), and the
 * held-out sets nobody tunes on or reads (scored only here, when present).
 */
export const CLAIM_SETS = {
  labelled: 'data/claims/drafts.yaml',
  development: 'data/claims/drafts-dev.yaml',
  heldOut: 'evals/heldout/drafts.yaml',
  heldOutV2: 'evals/heldout-v2/drafts.yaml',
} as const;

/** What the bench's `claims` section measures. */
export interface ClaimFigures {
  sets: (Omit<DraftScores, 'mistakes' | 'missedSentences' | 'extraSentences'> & { name: string; latency: Latency })[];
}

/** Scores every set that exists and times the checker on it. */
export function benchClaims(rounds: number): ClaimFigures {
  const sets: ClaimFigures['sets'] = [];
  for (const [name, path] of Object.entries(CLAIM_SETS)) {
    if (!existsSync(path)) continue;
    const { mistakes: _mistakes, missedSentences: _missed, extraSentences: _extra, ...scores } = scoreDrafts(path);
    sets.push({ name, ...scores, latency: timeDrafts(path, rounds) });
  }
  return { sets };
}
