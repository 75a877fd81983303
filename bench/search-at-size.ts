import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generateGoldenSet, writeGoldenSet } from './search-golden-set.ts';

/**
 * What `npx shipgate verify --suite search-quality` took on this set before the suite knew
 * completeness and concurrency: commit b1c5be8 on the development machine (2 cores, shared with
 * other runs), the same generated set (seed 16, 1,400 documents, 225 queries), `--runs 100` so its
 * checks did not hit the 60 s time limit. It measured a mostly unembedded index (one sync call
 * embedded 200 of the 1,400 documents) and reported 222 findings.
 */
export const BEFORE = { commit: 'b1c5be8', seconds: 460, seed: 16, documents: 1400, queries: 225 } as const;

export interface SearchSizeRow {
  run: string;
  documents: number;
  queries: number;
  'time (s)': number;
  'vs before': string;
  checks: string;
  'index complete': string;
  result: string;
}

interface SignoffJson {
  gate: string;
  suites: { id: string; status: string; tests: number; failed: number }[];
  findings: { code: string }[];
}

/** The reference's profile with the generated set, and the bounds a set that size needs. */
function profileText(root: string, dir: string, o: { concurrency: number }): string {
  const base = relative(dir, join(root, 'shipgate.config.ts')).split('\\').join('/');
  return `// Written by bench/search-at-size.ts: the reference profile, searched on a generated golden set.
import reference from '${base.startsWith('.') ? base : `./${base}`}';

const search = reference.search!;
export default {
  ...reference,
  launch: { ...reference.launch!, cwd: ${JSON.stringify(root)} },
  search: {
    ...search,
    fixtures: './golden',
    // One sync call embeds 200 documents: 7 calls a tenant for 1,400.
    refresh: { calls: ['POST /v1/sync/openai'], until: { complete: true as const, withinMs: 180_000 } },
    // A real collection judges many documents relevant per query: one of them in the top 3 is the bar.
    expect: 'any' as const,
    concurrency: ${o.concurrency},
  },
};
`;
}

/**
 * Runs `shipgate verify --suite search-quality` on the reference with a generated golden set of
 * Cranfield's size, as a user would (the system's start included), and reads its sign-off.
 */
export async function measureSearchAtSize(o: {
  root: string;
  reportsDir: string;
  seed?: number;
  documents?: number;
  queries?: number;
  concurrency?: number;
  log: (line: string) => void;
}): Promise<SearchSizeRow> {
  const seed = o.seed ?? BEFORE.seed;
  const dir = join(o.reportsDir, 'search-at-size');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const set = generateGoldenSet({ seed, documents: o.documents ?? BEFORE.documents, queries: o.queries ?? BEFORE.queries });
  writeGoldenSet(join(dir, 'golden'), set);
  const concurrency = o.concurrency ?? 4;
  const config = join(dir, 'shipgate.config.ts');
  writeFileSync(config, profileText(o.root, dir, { concurrency }));
  const reports = join(dir, 'reports');
  o.log(`  search-quality on ${set.documents.length} generated documents and ${set.queries.size} queries (seed ${seed}), ${concurrency} searches at once...`);
  const started = Date.now();
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [join(o.root, 'bin', 'shipgate.js'), 'verify', '--config', config, '--suite', 'search-quality', '--reports', reports], {
      cwd: o.root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  const signoff = JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as SignoffJson;
  const suite = signoff.suites.find((s) => s.id === 'search-quality');
  const codes = [...new Set(signoff.findings.map((f) => f.code))];
  const md = readFileSync(join(reports, 'signoff.md'), 'utf8');
  // The completeness table's rows: | tenant-1 | 1400 | 1400 | 7 | 6.3 |
  const complete = [...md.matchAll(/^\| (tenant-\d+) \| (\d+) \| (\d+|not probed) \| (\d+) \| ([\d.]+) \|$/gm)].map((m) => `${m[1]} ${m[3]}/${m[2]} in ${m[4]} rounds, ${m[5]} s`);
  const sameSet = seed === BEFORE.seed && set.documents.length === BEFORE.documents && set.queries.size === BEFORE.queries;
  return {
    run: `now (exit ${code}, concurrency ${concurrency})`,
    documents: set.documents.length,
    queries: set.queries.size,
    'time (s)': seconds,
    'vs before': sameSet ? `${(BEFORE.seconds / seconds).toFixed(1)}× faster (${BEFORE.seconds} s at ${BEFORE.commit})` : 'another set: not comparable',
    checks: suite ? `${suite.tests - suite.failed}/${suite.tests} passed` : 'suite did not run',
    'index complete': complete.join('; ') || 'not reported',
    result: `${signoff.gate}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}`,
  };
}

/** The recorded figure, as a row beside today's. */
export function beforeRow(): SearchSizeRow {
  return {
    run: `before (${BEFORE.commit}, recorded)`,
    documents: BEFORE.documents,
    queries: BEFORE.queries,
    'time (s)': BEFORE.seconds,
    'vs before': '1.0×',
    checks: '7/229 passed',
    'index complete': 'not checked (200 of 1400 embedded)',
    result: 'NO-GO (SEARCH_EXPECTED_NOT_IN_TOP_K)',
  };
}
