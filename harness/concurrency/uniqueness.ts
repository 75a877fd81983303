export interface UniquenessViolation<T> {
  /** `several ids`: one key produced more than one record; `shared id`: two keys got the same record. */
  kind: 'several ids' | 'shared id';
  /** The key (several ids) or the id (shared id) at fault. */
  value: string;
  ids: string[];
  keys: string[];
  items: T[];
}

/**
 * One key, one record, and one record per key: groups `items` (answers, or rows the system lists)
 * by key and reports a key that maps to several distinct ids, and an id that several keys share.
 */
export function checkUniqueness<T>(items: T[], keyOf: (item: T) => string, idOf: (item: T) => string | undefined): UniquenessViolation<T>[] {
  const violations: UniquenessViolation<T>[] = [];
  const group = (by: (item: T) => string | undefined) => {
    const groups = new Map<string, T[]>();
    for (const item of items) {
      const k = by(item);
      if (k !== undefined) groups.set(k, [...(groups.get(k) ?? []), item]);
    }
    return groups;
  };
  const distinct = (list: T[], f: (item: T) => string | undefined) => [...new Set(list.map(f).filter((v): v is string => v !== undefined))];
  for (const [key, list] of group(keyOf)) {
    const ids = distinct(list, idOf);
    if (ids.length > 1) violations.push({ kind: 'several ids', value: key, ids, keys: [key], items: list });
  }
  for (const [id, list] of group(idOf)) {
    const keys = distinct(list, keyOf);
    if (keys.length > 1) violations.push({ kind: 'shared id', value: id, ids: [id], keys, items: list });
  }
  return violations;
}
