/** create_product: a plan (or add-on) with its limits (kind billing.configure). */
import { z } from 'zod';
import { defineWrite } from './define-operation.ts';
import { writeContextFields } from './write-fields.ts';

/** Input of create_product. */
export const createProductInput = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    limits: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.number().int().min(0).nullable()).optional(),
    overage: z.string().max(500).optional(),
    ...writeContextFields,
  })
  .strict();

/** Creates a product; prices are added with create_price. */
export const createProduct = defineWrite({
  name: 'create_product',
  description: 'Create a plan or add-on with its limits (seats, api_calls, projects…; null means unlimited).',
  kind: 'billing.configure',
  input: createProductInput,
  destructive: false,
  async facts(_context, input) {
    const limits = Object.entries(input.limits ?? {}).map(([name, value]) => `${name}: ${value ?? 'unlimited'}`);
    return {
      decision: { customerIds: [], targetCount: 0, reversible: true },
      preview: {
        summary: `Create plan ${input.name}${limits.length ? ` (${limits.join(', ')})` : ''}`,
        changes: [{ field: 'product', from: null, to: input.name }],
        money: null,
        customers: [],
        targets: [],
        reversible: true,
        details: { limits: input.limits ?? {}, overage: input.overage ?? '' },
      },
      subjects: {},
      bound: { name: input.name, limits: input.limits ?? {} },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.createProduct(
      {
        name: input.name,
        ...(input.description ? { description: input.description } : {}),
        ...(input.limits ? { limits: input.limits } : {}),
        ...(input.overage ? { overage: input.overage } : {}),
      },
      { idempotencyKey },
    );
  },
});
