/**
 * Text as PostgreSQL can store it: NUL becomes a space and a lone UTF-16 surrogate becomes U+FFFD, so a request
 * or note pasted with either is kept (same length, offsets unchanged) instead of failing deep inside a query.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with NUL and lone surrogates replaced. */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', ' ').replace(LONE_SURROGATE, '\uFFFD');
}
