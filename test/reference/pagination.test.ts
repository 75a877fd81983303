import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../reference/db/resource-rows.ts';
import { parseListQuery, toPage } from '../../reference/http/pagination.ts';

function resource(createdAt: string): Resource {
  return { id: randomUUID(), org_id: randomUUID(), created_at: createdAt, updated_at: createdAt };
}

describe('reference list pagination', () => {
  it('defaults to 50 items from the start', () => {
    expect(parseListQuery({})).toEqual({ limit: 50, after: { createdAt: null, id: null } });
  });

  it('turns the extra row into a cursor that resumes after the last item, microseconds included', () => {
    const rows = [resource('2025-01-01T00:00:00.123457+00:00'), resource('2025-01-01T00:00:00.123456+00:00')];
    const page = toPage(rows, 1);
    expect(page.items).toEqual([rows[0]]);
    expect(page.next_cursor).not.toBeNull();
    const { after } = parseListQuery({ cursor: page.next_cursor });
    expect(after).toEqual({ createdAt: rows[0]?.created_at, id: rows[0]?.id });
  });

  it('has no cursor on the last page', () => {
    expect(toPage([resource('2025-01-01T00:00:00+00:00')], 2).next_cursor).toBeNull();
  });

  it.each([
    { cursor: 'garbage' },
    { cursor: Buffer.from(JSON.stringify(['2025-02-31T00:00:00+00:00', randomUUID()])).toString('base64url') },
    { cursor: Buffer.from(JSON.stringify(['2025-01-01T00:00:00+00:00', 'x'])).toString('base64url') },
    { limit: '0' },
    { limit: '101' },
    { limit: 'ten' },
  ])('answers 400 for %o', (query) => {
    expect(() => parseListQuery(query)).toThrow(expect.objectContaining({ statusCode: 400, code: 'invalid_request' }));
  });
});
