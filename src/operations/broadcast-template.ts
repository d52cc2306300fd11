/**
 * The notification a bulk operation sends its customers when proposed with `notify: true` (issue 20, ADR 0024):
 * a default template per operation, the placeholders each may use, validation of a template given instead, and
 * rendering with one target's own figures. Rendering is one pass over the template: a figure's text (a customer's
 * name, a plan's nickname) is inserted as it is and never read as a placeholder, so data stays data.
 */
import { z } from 'zod';
import { personDate } from '../domain/person-time.ts';

/** Longest template accepted. */
export const MAX_TEMPLATE = 4_000;

/** The operations that can notify their customers, with their placeholders, subject and default template. */
export const BROADCAST_TEMPLATES = {
  bulk_migrate_plan: {
    placeholders: ['customer_name', 'old_plan', 'new_plan', 'old_price', 'new_price', 'effective_date'],
    subject: 'Your plan is changing',
    template:
      'Hello {{customer_name}},\n\nYour subscription moves from {{old_plan}} ({{old_price}}) to {{new_plan}} ({{new_price}}) {{effective_date}}.\n\nReply to this email if you have any question.',
  },
  bulk_apply_coupon: {
    placeholders: ['customer_name', 'coupon', 'saving', 'effective_date'],
    subject: 'A discount on your subscription',
    template:
      'Hello {{customer_name}},\n\nWe applied the coupon {{coupon}} to your subscription {{effective_date}}: it takes {{saving}} off your bill.\n\nReply to this email if you have any question.',
  },
  bulk_retry_invoices: {
    placeholders: ['customer_name', 'invoice', 'amount', 'effective_date'],
    subject: 'We retried your payment',
    template:
      'Hello {{customer_name}},\n\nWe retried the payment of invoice {{invoice}} for {{amount}} {{effective_date}}.\n\nReply to this email if you have any question.',
  },
} as const satisfies Record<string, { placeholders: readonly string[]; subject: string; template: string }>;

/** An operation that can notify its customers. */
export type BroadcastOperation = keyof typeof BROADCAST_TEMPLATES;

/** True for operations that take `notify: true`. */
export function isBroadcastOperation(name: string): name is BroadcastOperation {
  return Object.hasOwn(BROADCAST_TEMPLATES, name);
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders a template names that `operation` does not know, in order of appearance. */
export function unknownPlaceholders(operation: BroadcastOperation, template: string): string[] {
  const known: readonly string[] = BROADCAST_TEMPLATES[operation].placeholders;
  const unknown: string[] = [];
  for (const [, name = ''] of template.matchAll(PLACEHOLDER))
    if (!known.includes(name) && !unknown.includes(name)) unknown.push(name);
  return unknown;
}

/** The `notify` and `template` input fields of a bulk operation, validated against its placeholders. */
export function notifyFields(operation: BroadcastOperation) {
  const known = BROADCAST_TEMPLATES[operation].placeholders;
  return {
    /** Notify every customer whose change succeeds, as one `messaging.broadcast` approval. */
    notify: z.boolean().default(false),
    /** The notification's text instead of the default; placeholders in double braces. */
    template: z
      .string()
      .trim()
      .min(1, 'the template is empty')
      .max(MAX_TEMPLATE, `the template is longer than ${MAX_TEMPLATE} characters`)
      .superRefine((template, check) => {
        const unknown = unknownPlaceholders(operation, template);
        if (unknown.length > 0)
          check.addIssue({
            code: 'custom',
            message: `unknown placeholder {{${unknown[0]}}}; ${operation} knows ${known.map((name) => `{{${name}}}`).join(', ')}`,
          });
      })
      .optional(),
  };
}

/** One target's figures, as stored in the bulk proposal's approved targets. */
export type Figures = Record<string, string>;

/**
 * The effective date in words: a date set ahead ("on 1 Jul 2026"), or the day the change was made (at the
 * target's execution; at proposal time for the approver's sample).
 */
export function effectiveWords(figures: Figures, changedAt: Date): string {
  const ahead = figures.effective_at;
  return ahead ? `from your next renewal on ${personDate(ahead)}` : `on ${personDate(changedAt)}`;
}

/** The template with one target's figures in place of its placeholders. */
export function renderTemplate(template: string, figures: Figures, changedAt: Date): string {
  const values: Figures = { ...figures, effective_date: effectiveWords(figures, changedAt) };
  return template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}
