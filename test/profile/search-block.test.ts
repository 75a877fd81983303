import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../harness/profile/load.ts';
import { minimalProfile, profileProblems } from '../support/profile.ts';

const minimal = minimalProfile('ephemeral', 'http://127.0.0.1:3000');
const base = { index: { route: 'POST /docs', body: () => ({}) }, query: { route: 'GET /search?q={query}&limit={limit}' } };
const searchOf = (extra: Record<string, unknown>) => validateProfile({ ...minimal, search: { ...base, ...extra } }, 'x').search!;

describe('the search block: refresh, completeness, what is expected', () => {
  it('reads a list of refresh routes as calls made once, and the object form with until', () => {
    expect(searchOf({ refresh: ['POST /sync'] }).refresh).toEqual({ calls: ['POST /sync'] });
    const complete = { count: { route: 'GET /sync/status', searchable: (b: { indexed: number }) => b.indexed } };
    const s = searchOf({ refresh: { calls: ['POST /sync'], until: { complete: true } }, complete });
    expect(s.refresh).toEqual({ calls: ['POST /sync'], until: { complete: true, withinMs: 60_000, repeat: true } });
  });

  it('refuses until without a way to see completeness, and names the field', () => {
    expect(profileProblems({ ...minimal, search: { ...base, refresh: { calls: ['POST /sync'], until: { complete: true, withinMs: 5_000 } } } })).toEqual([
      'search.refresh.until: repeating refresh until the index is complete needs search.complete: how shipgate sees that a document is searchable ({ count }, { lookup } or { search })',
    ]);
  });

  it('refuses until.repeat with no call to repeat', () => {
    const complete = { count: { route: 'GET /n', searchable: () => 1 } };
    expect(profileProblems({ ...minimal, search: { ...base, complete, refresh: { calls: [], until: { complete: true } } } })).toEqual([
      'search.refresh.calls: there is no call to repeat: name the refresh calls, or set until.repeat: false to poll search.complete',
    ]);
    expect(searchOf({ complete, refresh: { calls: [], until: { complete: true, repeat: false } } }).refresh.calls).toEqual([]);
  });

  it('accepts each way of proving completeness, and refuses an unknown lookup placeholder', () => {
    expect(searchOf({ complete: { lookup: { route: 'GET /docs/{id}' } } }).complete).toMatchObject({ lookup: { route: 'GET /docs/{id}' } });
    expect(searchOf({ complete: { search: {} } }).complete).toEqual({ search: {} });
    expect(profileProblems({ ...minimal, search: { ...base, complete: { lookup: { route: 'GET /docs/{slug}' } } } })).toEqual([
      'search.complete.lookup.route: unknown placeholder {slug}: a lookup may use {id}, {docno}, {title} or {marker}',
    ]);
    expect(profileProblems({ ...minimal, search: { ...base, complete: { count: { route: 'GET /n' } } } })[0]).toMatch(/^search\.complete/);
  });

  it('takes expect as all, any or a recall floor, and refuses anything else', () => {
    expect(searchOf({ expect: 'any' }).expect).toBe('any');
    expect(searchOf({ expect: { recallAtLeast: 0.5 } }).expect).toEqual({ recallAtLeast: 0.5 });
    expect(profileProblems({ ...minimal, search: { ...base, expect: 'most' } })).toEqual(['search.expect: expected \'all\', \'any\' or { recallAtLeast: number } (got "most")']);
    expect(profileProblems({ ...minimal, search: { ...base, expect: { recallAtLeast: 0 } } })[0]).toMatch(/^search\.expect\.recallAtLeast/);
  });

  it('refuses a cutoff deeper than the depth, and a query route that carries no query', () => {
    expect(profileProblems({ ...minimal, search: { ...base, k: 20, depth: 10 } })).toEqual(['search.k: k (20) cannot exceed depth (10): the top k comes from the 10 hits asked for']);
    expect(profileProblems({ ...minimal, search: { ...base, query: { route: 'GET /search' } } })).toEqual([
      'search.query.route: the query text goes nowhere: put {query} in the route or give query.body',
    ]);
  });
});
