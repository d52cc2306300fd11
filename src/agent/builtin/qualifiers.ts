/**
 * Qualifiers of a listing said in words: the order asked for ("largest refunds first", "sorted by due date, oldest
 * first") and the filters ruled out ("the unpaid ones, not the paid ones", "the previous period, not the current
 * one"). A listing's `sort` is an allow-listed `column_asc|desc`; only columns the listing has are ever filled in.
 */

/** Words that name a column, most specific first; each maps to the column names the listings use. */
const COLUMN_WORDS: readonly { words: RegExp; columns: readonly string[] }[] = [
  { words: /\brefund(?:s|ed)?\b/, columns: ['refunded'] },
  { words: /\bdue\s+dates?\b|\bdue\b/, columns: ['due'] },
  { words: /\b(?:remaining|outstanding|left\s+to\s+pay|still\s+owed|owed)\b/, columns: ['remaining'] },
  { words: /\bbalances?\b/, columns: ['balance'] },
  { words: /\btotals?\b/, columns: ['total'] },
  { words: /\b(?:amounts?|payments?|charges?|sums?)\b/, columns: ['amount', 'total'] },
  { words: /\b(?:names?|alphabetical(?:ly)?|a\s*(?:-|to)\s*z)\b/, columns: ['name'] },
  { words: /\bcountr(?:y|ies)\b/, columns: ['country'] },
  { words: /\b(?:created|newest|oldest|latest|earliest|recent|dates?)\b/, columns: ['created'] },
];

/** "largest first", "descending", "oldest first": the direction asked for, if any. */
function directionOf(lower: string): 'asc' | 'desc' | undefined {
  if (
    /\b(?:largest|biggest|highest|most|top|newest|latest|most\s+recent|descending|desc|high\s+to\s+low|z\s*(?:-|to)\s*a)\b/.test(
      lower,
    )
  )
    return 'desc';
  if (
    /\b(?:smallest|lowest|least|oldest|earliest|ascending|asc|low\s+to\s+high|alphabetical(?:ly)?|a\s*(?:-|to)\s*z)\b/.test(
      lower,
    )
  )
    return 'asc';
  return undefined;
}

/**
 * The order a listing is asked in, as `column_desc|asc` among `columns` (the listing's own): said with "first",
 * "sorted/ordered by" or "by … (descending)". Undefined when no order is asked for or the column is not one the
 * listing sorts by (the listing's own order then stands).
 */
export function sortOf(lower: string, columns: readonly string[]): string | undefined {
  const ordered =
    /\b(?:sort(?:ed)?|order(?:ed)?|rank(?:ed)?)\s+(?:them\s+|it\s+)?by\s+([^,.;?!]+)|\b((?:the\s+)?(?:largest|biggest|highest|most|smallest|lowest|least|newest|latest|oldest|earliest)\s+[\w\s-]{0,30}?)\s+first\b/.exec(
      lower,
    );
  if (!ordered) return superlativeOf(lower, columns);
  const said = ordered[1] ?? ordered[2] ?? '';
  // "sorted by due date, oldest first": the direction may follow the column.
  const direction = directionOf(lower.slice(ordered.index)) ?? 'desc';
  for (const { words, columns: names } of COLUMN_WORDS) {
    if (!words.test(said)) continue;
    const column = names.find((name) => columns.includes(name));
    if (column) return `${column}_${direction}`;
  }
  // "newest first" alone orders by when each was made.
  if (/^(?:the\s+)?(?:newest|latest|oldest|earliest)\s*$/.test(said.trim()) && columns.includes('created'))
    return `created_${direction}`;
  return undefined;
}

/**
 * The request with what it rules out taken away: "not the paid ones", "not the current one", "but not X", "except
 * X", "excluding X" — so a filter is read from what is asked for, never from what is excluded.
 */
export function withoutExcluded(lower: string): string {
  return lower.replace(
    /\b(?:(?:and|but)\s+)?(?:not\s+(?:the|any|those|this|that)|except(?:\s+for)?(?:\s+the)?|excluding(?:\s+the)?|other\s+than(?:\s+the)?)\s+(?:[a-z_-]+\s+){0,2}?(?:ones?|invoices?|subscriptions?|periods?|months?)\b|\b(?:and|but)\s+not\s+[a-z_-]+\b/g,
    ' ',
  );
}

/**
 * "The five largest invoices", "our biggest payments", "the newest customers": a superlative before what is listed
 * orders by size (the listing's total, amount or balance; refunded for refunds) or by when each was made.
 */
function superlativeOf(lower: string, columns: readonly string[]): string | undefined {
  const found =
    /\b(largest|biggest|highest|smallest|lowest|newest|latest|most\s+recent|oldest|earliest)\s+(?:[a-z-]+\s+){0,2}?(invoices?|payments?|charges?|customers?|subscriptions?|subs|refunds?|accounts?|clients?)\b/.exec(
      lower,
    );
  if (!found?.[1] || !found[2]) return undefined;
  const direction = directionOf(found[1]) ?? 'desc';
  const byTime = /newest|latest|recent|oldest|earliest/.test(found[1]);
  const wanted = byTime ? ['created'] : found[2].startsWith('refund') ? ['refunded'] : ['total', 'amount', 'balance'];
  const column = wanted.find((name) => columns.includes(name));
  return column ? `${column}_${direction}` : undefined;
}
