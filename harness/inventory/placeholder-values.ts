import { randomUUID } from 'node:crypto';
import type { JsonSchema } from '../json-schema/schema.ts';

/** One per run: an id no system has. */
const NOWHERE_UUID = randomUUID();
/** Well inside a 32-bit serial, so it is a valid id that names nothing yet. */
const NOWHERE_INTEGER = 2_147_483_000;

const ID_LIKE = /^(id|uuid|key)$|(Id|_id|Uuid|_uuid)$/;

/**
 * A value for a `{placeholder}` of a route shipgate has no item for: well formed for its type (so
 * the call gets past input validation) and naming nothing. From the OpenAPI parameter's schema
 * when there is one (its example, default or first enum value; else a value of its type and
 * format), else from the name: ids get the profile's `missingId` or a fresh UUID.
 */
export function placeholderValue(name: string, o: { schema?: JsonSchema; missingId?: () => string | number } = {}): string {
  const s = o.schema;
  if (s && Object.keys(s).length > 0) {
    const given = s.example ?? (Array.isArray(s.examples) ? s.examples[0] : undefined) ?? s.default ?? s.enum?.[0] ?? s.const;
    if (given !== undefined && given !== null && typeof given !== 'object') return String(given);
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    if (type === 'integer' || type === 'number') {
      const hi = Math.min(s.maximum ?? NOWHERE_INTEGER, NOWHERE_INTEGER);
      return String(Math.max(hi, s.minimum ?? 0));
    }
    if (s.format === 'uuid') return NOWHERE_UUID;
    if (s.format === 'date') return '2030-01-15';
    if (s.format === 'date-time') return '2030-01-15T09:30:00Z';
    if (type === 'boolean') return 'true';
    if (type === 'string' && ID_LIKE.test(name)) return o.missingId ? String(o.missingId()) : NOWHERE_UUID;
    if (type === 'string') return 'shipgate-probe';
  }
  if (name === 'query') return 'shipgate';
  if (name === 'limit') return '3';
  if (ID_LIKE.test(name)) return o.missingId ? String(o.missingId()) : NOWHERE_UUID;
  return 'shipgate-probe';
}
