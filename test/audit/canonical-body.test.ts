/**
 * The audit body's canonical text is built field by field (verify's hot path); it must be exactly the text
 * RFC 8785 `canonicalize` gives the whole body, or every chain written before would stop verifying.
 */
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { type AuditBody, canonicalBody } from '../../src/audit/hash-event.ts';

function pick<T>(items: readonly T[], index: number): T {
  return items[index % items.length] as T;
}

const TEXTS = ['', 'plain', 'ünïcødé ✓', 'emoji 🧾', 'quote " and \\ slash', 'line\nbreak', '\u2028', 'z'];
const VALUES: unknown[] = [
  null,
  { number: 'INV-000042' },
  { b: 1, a: [3, 2, 1], c: { é: 'x', e: 'y', '🧾': 1 } },
  { outcome: 'pass', reasons: [] },
  [1.5, -0.0001, 1e21, 2 ** 70],
  'a string',
  42,
  true,
];

function body(index: number): AuditBody {
  const maybe = (text: string) => (index % 3 === 0 ? null : text);
  return {
    id: `audit_${index}`,
    orgId: 'org_northwind',
    at: new Date(Date.UTC(2026, 11, 3, 12, 0, 0, index)),
    event: pick(['data.read', 'proposal.created', 'execution.completed'], index),
    actorId: maybe(`mem_${index}`),
    actorEmail: maybe(pick(TEXTS, index)),
    actorRole: maybe('billing_clerk'),
    channel: pick(['cli', 'http', 'mcp', 'chat'], index),
    requestId: maybe(pick(TEXTS, index + 1)),
    proposalId: maybe(`prop_${index}`),
    operation: maybe('refund_charge'),
    customerId: maybe(`cus_${index}`),
    invoiceId: maybe(`in_${index}`),
    chargeId: maybe(`ch_${index}`),
    arguments: pick(VALUES, index),
    decision: pick(VALUES, index + 2),
    result: pick(VALUES, index + 5),
    userInput: maybe(pick(TEXTS, index + 3)),
  };
}

describe('the canonical text of an audit body', () => {
  it('is the RFC 8785 text of the whole body, for every shape of field', () => {
    for (let index = 0; index < 200; index += 1) {
      const row = body(index);
      expect(canonicalBody(row)).toBe(canonicalize({ ...row, at: row.at.toISOString() }));
    }
  });

  it('leaves out what is not part of the body when given a whole row', () => {
    const row = { ...body(7), seq: 9, prevHash: 'f'.repeat(64), hash: 'e'.repeat(64), keyId: 'k', signature: 's' };
    expect(canonicalBody(row)).toBe(canonicalBody(body(7)));
  });
});
