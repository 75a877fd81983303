import { describe, expect, it } from 'vitest';
import { changedPaths, changesEvidence, describeChanges, fieldChanges } from '../../harness/findings/changes.ts';
import { redactor } from '../../harness/http/redact.ts';

describe('what a write changed, field by field', () => {
  it('names each changed leaf by its path, nested objects and arrays included', () => {
    const before = { id: 'd1', title: 'mine', meta: { tags: ['a', 'b'], owner: 'u1' }, gone: 1 };
    const after = { id: 'd1', title: 'sg-evil', meta: { tags: ['a', 'c', 'd'], owner: 'u1' }, added: true };
    expect(fieldChanges(before, after)).toEqual([
      { path: 'title', before: 'mine', after: 'sg-evil' },
      { path: 'meta.tags[1]', before: 'b', after: 'c' },
      { path: 'meta.tags[2]', before: undefined, after: 'd' },
      { path: 'gone', before: 1, after: undefined },
      { path: 'added', before: undefined, after: true },
    ]);
    expect(fieldChanges(before, structuredClone(before))).toEqual([]);
  });

  it('quotes keys that are not plain names (the items of a bulk call, keyed by owner and id)', () => {
    expect(fieldChanges({ "tenant-2's 7": { status: 'pending' } }, { "tenant-2's 7": { status: 'approved' } })).toEqual([{ path: `["tenant-2's 7"].status`, before: 'pending', after: 'approved' }]);
  });

  it('says it in a line for a title, and in full for the evidence, with secrets redacted', () => {
    redactor.register('tok-secret-value-123', 'tenant-1 token');
    const changes = fieldChanges({ a: 1, b: 'x', c: null, d: 'tok-secret-value-123', e: 0 }, { a: 2, b: 'y', c: 'z'.repeat(100), d: 'tok-secret-value-1234', e: 1 });
    expect(changedPaths(changes)).toBe('a, b, c and 2 more');
    expect(describeChanges(changes, 2)).toBe('a: 1 -> 2; b: "x" -> "y"; and 3 more fields');
    expect(describeChanges(changes.slice(2, 3))).toMatch(/^c: null -> "z{50}z*\.\.\.$/);
    const evidence = changesEvidence('what changed', changes);
    expect(evidence.text).toContain('d: "«tenant-1 token»" -> "«tenant-1 token»4"');
    expect(evidence.text).not.toContain('tok-secret-value-123');
  });
});
