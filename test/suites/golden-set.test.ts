import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../harness/profile/load.ts';
import { BUILT_IN, GoldenSetError, loadGoldenSet } from '../../suites/search-quality/golden-set.ts';

const search = (fixtures?: string) =>
  validateProfile(
    {
      name: 'x',
      kind: 'ephemeral',
      http: { baseUrls: ['http://127.0.0.1:1'] },
      identities: { newTenant: async () => ({ tenantId: 't', token: 'x' }) },
      search: { index: { route: 'POST /docs', body: () => ({}) }, query: { route: 'GET /search?q={query}' }, ...(fixtures ? { fixtures } : {}) },
    },
    'x',
  ).search!;

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'golden-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('golden sets', () => {
  it("loads shipgate's own set: every judged document exists, the seed's queries are there, with a baseline", () => {
    const set = loadGoldenSet(search(), '/any/shipgate.config.ts');
    expect(set.dir).toBe(BUILT_IN);
    expect(set.documents.length).toBeGreaterThanOrEqual(20);
    expect([...set.queries.values()]).toEqual(expect.arrayContaining(['machine learning basics', 'how to authenticate API requests']));
    expect(set.qrels.get('q01')?.get('ml-intro')).toBe(2);
    expect(set.baseline?.value.k).toBe(3);
  });

  it("reads a user's set relative to the profile, and names what is wrong in it", () => {
    const dir = folder({
      'documents.jsonl': '{"docno":"d1","title":"A","text":"alpha"}\n',
      'queries.tsv': 'q1\talpha\n',
      'qrels.txt': 'q1 0 d1 2\nq1 0 d9 1\n',
    });
    expect(() => loadGoldenSet(search('.'), join(dir, 'shipgate.config.ts'))).toThrow(new GoldenSetError(`${join(dir, 'qrels.txt')}: q1 judges d9, which is not in documents.jsonl`));
    const noBaseline = folder({ 'documents.jsonl': '{"docno":"d1","title":"A","text":"alpha"}\n', 'queries.tsv': 'q1\talpha\n', 'qrels.txt': 'q1 0 d1 2\n' });
    const set = loadGoldenSet(search('.'), join(noBaseline, 'shipgate.config.ts'));
    expect(set.baseline).toBeUndefined();
    expect(set.baselineFile).toBe(join(noBaseline, 'baseline.json'));
    expect(() => loadGoldenSet(search('./missing'), join(noBaseline, 'x.ts'))).toThrow(/missing\/documents\.jsonl does not exist/);
  });

  it('takes docnos with any character trec_eval reads, and names one it cannot', () => {
    const dir = folder({
      'documents.jsonl': ['{"docno":"𝔡oc-1","title":"A","text":"alpha"}', '{"docno":"café\u00a02","title":"B","text":"beta"}'].join('\n'),
      'queries.tsv': 'q1\talpha\n',
      'qrels.txt': 'q1 0 𝔡oc-1 2\nq1 0 café\u00a02 1\n',
    });
    const set = loadGoldenSet(search('.'), join(dir, 'shipgate.config.ts'));
    expect(set.documents.map((d) => d.docno)).toEqual(['𝔡oc-1', 'café\u00a02']);
    expect(set.qrels.get('q1')?.get('café\u00a02')).toBe(1);
    const spaced = folder({ 'documents.jsonl': '{"docno":"d 1","title":"A","text":"alpha"}\n', 'queries.tsv': 'q1\talpha\n', 'qrels.txt': '' });
    expect(() => loadGoldenSet(search('.'), join(spaced, 'shipgate.config.ts'))).toThrow(
      new GoldenSetError(`${join(spaced, 'documents.jsonl')}:1: docno "d 1" is empty or holds a space, tab, line break or NUL, which TREC files cannot carry`),
    );
  });
});
