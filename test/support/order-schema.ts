import type { JsonSchema } from '../../harness/json-schema/schema.ts';

/** A small request schema with every kind of constraint the generators and breaks act on. */
export const ORDER_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['sku', 'quantity'],
  additionalProperties: false,
  properties: {
    sku: { type: 'string', pattern: '^[A-Z]{3}-\\d{3}$' },
    quantity: { type: 'integer', minimum: 1, maximum: 99 },
    note: { type: ['string', 'null'], maxLength: 20 },
    tags: { type: 'array', maxItems: 3, items: { type: 'string', enum: ['gift', 'rush'] } },
  },
};
