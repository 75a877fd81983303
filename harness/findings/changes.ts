/**
 * What changed between two snapshots of an item, field by field: a finding that says a denied
 * call "changed the item" names the fields and shows their values before and after (cut short and
 * redacted), so the reader sees at once whether it was the title, the owner or a timestamp.
 */
import { showValue } from '../profile/hook-result.ts';

export interface FieldChange {
  /** `title`, `article.author`, `tags[1]`, or '' for the whole value. */
  path: string;
  /** undefined: the field was not there. */
  before: unknown;
  after: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const key = (path: string, k: string) => (/^[A-Za-z_$][\w$-]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`);

/** Every leaf that differs between `before` and `after` (objects by key, arrays by position). */
export function fieldChanges(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => fieldChanges(before[k], after[k], key(path, k)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    return Array.from({ length: Math.max(before.length, after.length) }, (_, i) => fieldChanges(before[i], after[i], `${path}[${i}]`)).flat();
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

const MAX_VALUE = 60;
const short = (v: unknown) => {
  if (v === undefined) return '(absent)';
  const s = showValue(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 3)}...` : s;
};

/** `title: "draft" -> "sg-9f..."; author (absent) -> 7`, the first `max` of them and how many more. */
export function describeChanges(changes: FieldChange[], max = 3): string {
  const shown = changes.slice(0, max).map((c) => `${c.path || '(the value)'}: ${short(c.before)} -> ${short(c.after)}`);
  return `${shown.join('; ')}${changes.length > max ? `; and ${changes.length - max} more field${changes.length - max === 1 ? '' : 's'}` : ''}`;
}

/** The changed field paths, for a title: `title, updated_at`. */
export function changedPaths(changes: FieldChange[], max = 3): string {
  const paths = changes.map((c) => c.path || '(the whole value)');
  return `${paths.slice(0, max).join(', ')}${paths.length > max ? ` and ${paths.length - max} more` : ''}`;
}

/** Evidence listing each changed field with its value before and after (redacted). */
export function changesEvidence(label: string, changes: FieldChange[]): { label: string; text: string } {
  return { label, text: changes.map((c) => `${c.path || '(the value)'}: ${c.before === undefined ? '(absent)' : showValue(c.before)} -> ${c.after === undefined ? '(absent)' : showValue(c.after)}`).join('\n') };
}
