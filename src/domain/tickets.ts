/** Billing ticket classes (seed 000's Billing Classifier), shared by the classifier and the ticket operations. */

/** The classes a ticket can be given, in a fixed order. */
export const TICKET_CLASSES = [
  'invoice',
  'plan',
  'usage',
  'refund',
  'cancellation',
  'tax',
  'payment_failure',
  'other',
] as const;

/** One of {@link TICKET_CLASSES}. */
export type TicketClass = (typeof TICKET_CLASSES)[number];
