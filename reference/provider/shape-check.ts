/**
 * A small checker for the JSON schema an operation sends with its request: JSON types, required
 * keys and strict objects, nothing else. Used only on the `adapter-range-unchecked` defect path.
 */
type Schema = {
  type?: string | string[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
};

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

export function matchesShape(schema: Schema, value: unknown): boolean {
  if (schema.anyOf) return schema.anyOf.some((s) => matchesShape(s, value));
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const t = typeOf(value);
  if (types.length > 0 && !types.includes(t) && !(t === 'integer' && types.includes('number'))) return false;
  if (t === 'array') return (value as unknown[]).every((item) => matchesShape(schema.items ?? {}, item));
  if (t !== 'object') return true;
  const obj = value as Record<string, unknown>;
  if ((schema.required ?? []).some((k) => !(k in obj))) return false;
  if (schema.additionalProperties === false && Object.keys(obj).some((k) => !(k in (schema.properties ?? {})))) return false;
  return Object.entries(schema.properties ?? {}).every(([k, s]) => !(k in obj) || matchesShape(s, obj[k]));
}
