import { describe, expect, it } from 'vitest';
import type { HttpResult } from '../../harness/http/client.ts';
import { differenceFromMissing } from '../../harness/access/same-answer.ts';

function res(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, text, json: undefined, headers: { 'content-type': 'application/json', ...headers }, exchange: { instance: 0, request: { method: 'GET', url: '/', headers: {} }, ms: 0 } };
}

const ids: [string, string, string][] = [['foreign-1', 'missing-1', 'missing-2']];

describe('telling a foreign id from a missing one', () => {
  it('sees no difference when only the ids differ', () => {
    const body = (id: string) => ({ error: { code: 'not_found', message: `document ${id} not found` } });
    expect(differenceFromMissing(res(404, body('foreign-1')), res(404, body('missing-1')), res(404, body('missing-2')), ids)).toBeUndefined();
  });

  it('replaces integer ids only where they stand alone, never inside "utf-8" or a number', () => {
    const h = { 'content-type': 'application/json; charset=utf-8' };
    const body = (id: string) => ({ errors: { article: [`article ${id} not found`] }, count: 18 });
    const intIds: [string, string, string][] = [['8', '2147483000', '2147483000']];
    expect(differenceFromMissing(res(404, body('8'), h), res(404, body('2147483000'), h), res(404, body('2147483000'), h), intIds)).toBeUndefined();
    expect(differenceFromMissing(res(404, { n: 18 }, h), res(404, { n: 19 }, h), res(404, { n: 19 }, h), [['1', '2', '3']])).toBe('the bodies differ: n: 18 vs 19');
  });

  it('names a different status or a different message', () => {
    expect(differenceFromMissing(res(403, {}), res(404, {}), res(404, {}), ids)).toBe('status 403 for the foreign id, 404 for a missing one');
    const d = differenceFromMissing(res(404, { error: { message: 'belongs to another org' } }), res(404, { error: { message: 'not found' } }), res(404, { error: { message: 'not found' } }), ids);
    expect(d).toBe('the bodies differ: error.message: "belongs to another org" vs "not found"');
  });

  it('ignores what differs between two missing-id answers anyway (request ids, timestamps)', () => {
    const body = (rid: string, code = 'not_found') => ({ error: { code, request_id: rid, at: `2026-11-21T10:00:0${rid}Z` } });
    expect(differenceFromMissing(res(404, body('1')), res(404, body('2')), res(404, body('3')), ids)).toBeUndefined();
    // ...but still sees a difference in the stable part.
    expect(differenceFromMissing(res(404, body('1', 'forbidden')), res(404, body('2')), res(404, body('3')), ids)).toBe('the bodies differ: error.code: "forbidden" vs "not_found"');
  });

  it('compares header values, except those that vary between any two answers', () => {
    const a = res(404, {}, { 'x-ratelimit-remaining': '9', 'x-owner': 'org-b' });
    const m = res(404, {}, { 'x-ratelimit-remaining': '8', 'x-owner': 'none' });
    const m2 = res(404, {}, { 'x-ratelimit-remaining': '7', 'x-owner': 'none' });
    expect(differenceFromMissing(a, m, m2, ids)).toBe('header x-owner differs: org-b vs none');
    expect(differenceFromMissing(res(404, {}, { date: 'Mon', etag: 'W/"1"' }), res(404, {}, { date: 'Tue', etag: 'W/"2"' }), res(404, {}, { date: 'Wed', etag: 'W/"3"' }), ids)).toBeUndefined();
  });

  it("sees a header that only the foreign id's answer carries, even one whose values are volatile (an ETag of the row)", () => {
    const m = res(404, {}, { date: 'Tue' });
    const m2 = res(404, {}, { date: 'Wed' });
    expect(differenceFromMissing(res(404, {}, { date: 'Mon', etag: 'W/"row-7"' }), m, m2, ids)).toBe("the headers differ: etag only on the foreign id's answer");
    expect(differenceFromMissing(res(404, {}, { date: 'Mon', 'x-owner': 'org-b' }), m, m2, ids)).toBe("the headers differ: x-owner only on the foreign id's answer");
    expect(differenceFromMissing(res(404, {}, {}), m, m2, ids)).toBe("the headers differ: date only on the missing id's answer");
  });

  it('ignores the presence of a header that comes and goes between two missing-id answers too', () => {
    const m = res(404, {}, { 'set-cookie': 'lb=a' });
    const m2 = res(404, {}, {});
    expect(differenceFromMissing(res(404, {}, {}), m, m2, ids)).toBeUndefined();
    expect(differenceFromMissing(res(404, {}, { 'set-cookie': 'lb=b' }), m2, m, ids)).toBeUndefined();
  });
});
