import type { z } from 'zod';
import { HOOK_FIELDS } from '../../harness/profile/fields.ts';
import { targetSchema } from '../../harness/profile/schema.ts';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Every hook field of the profile schema by path, with `<name>` for a record key and `[]` for a
 * list entry: `resources.<name>.create.id`, `identities.tenants[]`.
 */
export function schemaHooks(schema: z.ZodType = targetSchema as unknown as z.ZodType, path = '', seen = new Set<z.ZodType>()): { path: string; what: string }[] {
  const hook = HOOK_FIELDS.get(schema);
  if (hook) return [{ path, what: hook.what }];
  // The schemas on the way here: a schema used in two places (an operation's body) is walked in both.
  if (seen.has(schema)) return [];
  seen = new Set([...seen, schema]);
  const d = defOf(schema);
  const at = (k: string) => (path ? `${path}.${k}` : k);
  switch (d.type) {
    case 'object':
      return Object.entries(d.shape ?? {}).flatMap(([k, v]) => schemaHooks(v, at(k), seen));
    case 'optional':
    case 'default':
    case 'nullable':
    case 'prefault':
    case 'readonly':
      return schemaHooks(d.innerType!, path, seen);
    case 'union':
      return (d.options ?? []).flatMap((o) => schemaHooks(o, path, seen));
    case 'record':
      return schemaHooks(d.valueType!, at('<name>'), seen);
    case 'array':
      return schemaHooks(d.element!, `${path}[]`, seen);
    case 'pipe':
      return [...schemaHooks(d.in!, path, seen), ...schemaHooks(d.out!, path, seen)];
    default:
      return [];
  }
}
