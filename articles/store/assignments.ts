/** Request field → column, for the fields a patch may set. */
export type ColumnMap = Readonly<Record<string, string>>;

/** Column → value, in the order the patch gave them. */
export type Assignments = Map<string, unknown>;

/**
 * The generic "patch columns from the body" helper: every field of the patch that the map names
 * becomes a column assignment. A nested reference (`{ id, ... }`, as the API prints them) is
 * stored as its id. What may be patched is decided entirely by the map it is given.
 */
export function assignmentsFrom(patch: Record<string, unknown>, columns: ColumnMap): Assignments {
  const set: Assignments = new Map();
  for (const [field, value] of Object.entries(patch)) {
    const column = Object.hasOwn(columns, field) ? columns[field] : undefined;
    if (column === undefined || value === undefined) continue;
    set.set(column, isReference(value) ? value.id : value);
  }
  return set;
}

function isReference(value: unknown): value is { id: unknown } {
  return typeof value === 'object' && value !== null && 'id' in value;
}
