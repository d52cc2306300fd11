/**
 * Pure text checks of what leaves Leash (issue 17): card-like numbers (Luhn-valid, 13–19 digits, a card
 * network's first digit, spaces or dashes allowed between digits), bulk lists (three or more email addresses
 * that are not the addressed customer's, or five or more lines shaped like records), and the masks a reason
 * shows instead of the data itself. Looking names, emails and ids up in the store is operations/outbound-scan.ts.
 */
import { emailsIn } from '../domain/mentions.ts';

/** What a finding is. Card numbers block; the rest warn. */
export type OutboundFindingKind =
  | 'card_number'
  | 'customer_email'
  | 'customer_name'
  | 'customer_id'
  | 'record_id'
  | 'email_list'
  | 'record_list';

/** One thing an outbound text holds that is not the addressed customer's own. */
export interface OutboundFinding {
  /** Where it was found, as a reason names it ("the refund reason", "the reply body"). */
  field: string;
  kind: OutboundFindingKind;
  /** Masked, for the reason: "b***@initech.test", "card ending 1111", "cus_123". */
  shown: string;
}

/** A free-text field that leaves Leash, with the words a reason uses for it. */
export interface OutboundText {
  field: string;
  text: string;
}

/** True when the digits pass the Luhn check. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Card-like numbers in a text: runs of 13–19 digits (single spaces or dashes between them allowed) that start
 * like a card network's numbers (2–6) and pass the Luhn check. Returns the digits.
 */
export function cardNumbersIn(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])/g)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19) continue;
    if (!/^[2-6]/.test(digits) || /^(\d)\1+$/.test(digits)) continue;
    if (luhnValid(digits)) found.push(digits);
  }
  return found;
}

/** "bob@initech.test" → "b***@initech.test". */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/** "Initech Corp" → "I***p". */
export function maskName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length <= 2) return '***';
  return `${trimmed.slice(0, 1)}***${trimmed.slice(-1)}`;
}

/** Distinct email addresses in a text, lowercased. */
export function distinctEmails(text: string): string[] {
  return [...new Set(emailsIn(text).map((email) => email.text.toLowerCase()))];
}

const RECORD_DATUM = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\bcus_[A-Za-z0-9]{3,}\b|\+?\d(?:[ ()-]{0,2}\d){8,14}/;

/**
 * Lines shaped like records: three or more fields split by a tab, `|`, `;` or `,`, one of them an email, a
 * customer id or a phone-like number (9–15 digits: a date or an invoice number is not one) ("Acme, ann@acme.test, +1 555 0100").
 */
export function recordLines(text: string): number {
  return text.split(/\r?\n/).filter((line) => {
    if (!RECORD_DATUM.test(line)) return false;
    return ['\t', '|', ';', ','].some((separator) => line.split(separator).filter((field) => field.trim()).length >= 3);
  }).length;
}

/** How many emails, and how many record lines, make a bulk list. */
export const BULK_EMAILS = 3;
export const BULK_RECORD_LINES = 5;

/**
 * The findings that need no store: card numbers, and bulk lists. `ownEmails` (lowercase) are the addressed
 * customers' own addresses and never count towards a list.
 */
export function textFindings(piece: OutboundText, ownEmails: ReadonlySet<string>): OutboundFinding[] {
  const findings: OutboundFinding[] = [];
  for (const digits of new Set(cardNumbersIn(piece.text)))
    findings.push({ field: piece.field, kind: 'card_number', shown: `a card number ending ${digits.slice(-4)}` });
  const others = distinctEmails(piece.text).filter((email) => !ownEmails.has(email));
  if (others.length >= BULK_EMAILS)
    findings.push({ field: piece.field, kind: 'email_list', shown: `a list of ${others.length} email addresses` });
  const lines = recordLines(piece.text);
  if (lines >= BULK_RECORD_LINES)
    findings.push({ field: piece.field, kind: 'record_list', shown: `${lines} lines shaped like customer records` });
  return findings;
}
