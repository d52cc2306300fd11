/** The ledger's billing engine: pure functions over domain objects, persisted by the connector or the demo. */
export * from './invoices.ts';
export * from './payment-simulation.ts';
export * from './periods.ts';
export * from './pricing.ts';
export * from './proration.ts';
export * from './renewal-preview.ts';
export * from './subscriptions.ts';
export * from './tax-rates.ts';
