import type { SchemaPath } from './schema.ts';

/** A place in one payload: keys and item indexes. */
export type Concrete = (string | number)[];

/** The value at `path` in `root` (arrays resolved to the chosen index), or undefined. */
export function at(root: unknown, path: Concrete): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), root);
}

/** `[]` segments become item indexes: the first item, or the one `pick` chooses. */
export function concretise(base: unknown, path: SchemaPath, pick = 0): Concrete {
  const out: Concrete = [];
  for (const seg of path) {
    if (seg === '[]') {
      const arr = at(base, out);
      out.push(Array.isArray(arr) && arr.length > 0 ? pick % arr.length : 0);
    } else {
      out.push(seg);
    }
  }
  return out;
}

/** A copy of `root` with `value` at `path`. */
export function setAt(root: unknown, path: Concrete, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = value;
  return copy;
}

/** A copy of `root` without the key at `path`. */
export function deleteAt(root: unknown, path: Concrete): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  const parent = at(copy, path.slice(0, -1)) as Record<string, unknown>;
  delete parent[path[path.length - 1] as string];
  return copy;
}

/** A value as a short quote for a description. */
export const preview = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};
