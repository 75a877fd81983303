import { describe, expect, it } from 'vitest';
import { generatedBodies, malformedBodies, textsOf } from '../../harness/errors/malformed-bodies.ts';
import { generatedIds, isWellFormedText, malformedIds, showId } from '../../harness/errors/malformed-ids.ts';

describe('malformed ids', () => {
  it('are built against the shape of the system’s ids: letters for integers, near-misses for UUIDs', () => {
    const forInts = malformedIds('12345').map((x) => x.value);
    expect(forInts).toContain('abc');
    expect(forInts).toContain('1.5');
    const uuid = '0b9d9c52-7c7e-4a53-9f6c-2b1f0c1e4a10';
    const forUuids = malformedIds(uuid).map((x) => x.value);
    expect(forUuids).toContain(`${uuid}0`);
    expect(forUuids).toContain(uuid.slice(0, -1));
  });

  it('cover every class the contract names', () => {
    const kinds = new Set(malformedIds('1').map((x) => x.kind));
    for (const k of ['wrong type', 'out of range', 'too long', 'injection-shaped', 'unicode', 'control characters']) expect(kinds).toContain(k);
  });

  it('are generated the same from the same seed, and always fit in a URL', () => {
    const a = generatedIds(42, 50);
    expect(generatedIds(42, 50)).toEqual(a);
    expect(generatedIds(43, 50)).not.toEqual(a);
    for (const id of a) {
      expect(id.value.trim()).not.toBe('');
      expect(isWellFormedText(id.value)).toBe(true);
      expect(() => encodeURIComponent(id.value)).not.toThrow();
    }
  });

  it('show control and bidi characters escaped, and long ids cut', () => {
    expect(showId('a\u0000b')).toBe('"a\\u0000b"');
    expect(showId('\u202e123')).toBe('"\\u202e123"');
    expect(showId('a'.repeat(2000))).toContain('(2000 characters)');
  });

  it('tell a lone surrogate from a pair', () => {
    expect(isWellFormedText('ü😀')).toBe(true);
    expect(isWellFormedText('a\ud800b')).toBe(false);
    expect(isWellFormedText('a\udc00')).toBe(false);
  });
});

describe('malformed bodies', () => {
  const valid = { article: { title: 'T', tags: ['a'] }, count: 3 };

  it('break every field of the valid body, nested ones included, leaving the others as they were', () => {
    const bodies = malformedBodies(valid);
    const nulledTitle = bodies.find((b) => b.words === 'article.title: null');
    expect(nulledTitle?.json).toEqual({ article: { title: null, tags: ['a'] }, count: 3 });
    expect(bodies.find((b) => b.words === 'count: a string instead of a number')?.json).toEqual({ ...valid, count: 'abc' });
    expect(bodies.find((b) => b.words === 'article.tags.0 left out')).toBeDefined();
    expect(bodies.find((b) => b.words === 'article.title left out')?.json).toEqual({ article: { tags: ['a'] }, count: 3 });
    expect(valid).toEqual({ article: { title: 'T', tags: ['a'] }, count: 3 });
  });

  it('include broken JSON, the wrong JSON type, no body and the wrong content types', () => {
    const kinds = new Set(malformedBodies(valid).map((b) => b.kind));
    for (const k of ['not JSON', 'wrong JSON type', 'no body', 'wrong content type', 'absurd nesting']) expect(kinds).toContain(k);
    const cut = malformedBodies(valid).find((b) => b.words === 'JSON cut off in the middle')!;
    expect(() => JSON.parse(cut.raw!)).toThrow();
  });

  it('are generated the same from the same seed', () => {
    expect(generatedBodies(valid, 7, 10)).toEqual(generatedBodies(valid, 7, 10));
  });

  it('name the texts they carry, so an answer quoting them is an echo', () => {
    const body = malformedBodies(valid).find((b) => b.words === 'article.title: SQL-shaped text')!;
    expect(textsOf(body)).toContain("x'); DROP TABLE users; --");
    expect(textsOf({ kind: 'k', words: 'w', raw: 'abc' })).toEqual(['abc']);
  });
});
