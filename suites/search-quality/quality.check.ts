import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareToBaseline,
  evaluateRun,
  fail,
  formatRun,
  MEASURE_NAMES,
  measureLabel,
  rankRun,
  toBaseline,
  useTarget,
  type CheckContext,
  type Evidence,
  type HttpResult,
  type Run,
  type Tenant,
} from 'shipgate';
import suite from './suite.ts';
import { SEARCH_FINDINGS, type SearchFindingCode } from './findings.ts';
import { loadGoldenSet } from './golden-set.ts';
import { SearchApi } from './search-api.ts';

const target = await useTarget();
const search = target.profile.search!;
const { k, depth, expectGrade } = search;
const golden = loadGoldenSet(search, target.context.configPath);
const api = new SearchApi(search);
const instances = target.context.baseUrls.length;

function raise(code: SearchFindingCode, title: string, evidence: Evidence[], o: { expected?: string; actual?: string } = {}): never {
  return fail({ code, title, ...SEARCH_FINDINGS[code], ...o, evidence });
}

interface Ranked {
  ids: string[];
  /** The hits as docnos; another tenant's document is `other-tenant:<docno>`, an unknown id `unknown:<id>`. */
  docnos: string[];
  res: HttpResult;
}

/** A tenant with the golden set indexed, a second with the same documents (so a leak ties with the real hit), and one with none. */
interface Indexed {
  owner: Tenant;
  other: Tenant;
  empty: Tenant;
  ownIds: Map<string, string>;
  otherIds: Map<string, string>;
  results: Map<string, Ranked>;
  otherResults: Map<string, Ranked>;
  emptyResults: Map<string, Ranked>;
}

let indexed: Promise<Indexed> | undefined;

function useIndexed(c: CheckContext): Promise<Indexed> {
  indexed ??= (async () => {
    const [owner, other] = await c.target.tenants.pair();
    const empty = await c.target.tenants.create();
    const add = async (t: Tenant) => {
      const ids = new Map<string, string>();
      for (const [i, doc] of golden.documents.entries()) ids.set(await api.index(t, doc, i % instances), doc.docno);
      await api.refresh(t, 0);
      return ids;
    };
    const ownIds = await add(owner);
    const otherIds = await add(other);
    await api.refresh(empty, 0);
    const label = (ids: Map<string, string>, foreign: Map<string, string>) => (id: string) =>
      ids.get(id) ?? (foreign.has(id) ? `other-tenant:${foreign.get(id)}` : `unknown:${id}`);
    const runAll = async (t: Tenant, ids: Map<string, string>, foreign: Map<string, string>) => {
      const out = new Map<string, Ranked>();
      for (const [i, [qid, text]] of [...golden.queries].entries()) {
        const { ids: hits, res } = await api.query(t, text, depth, i % instances, `${t.label} searches "${text}" (${qid})`);
        out.set(qid, { ids: hits, docnos: hits.map(label(ids, foreign)), res });
      }
      return out;
    };
    return {
      owner,
      other,
      empty,
      ownIds,
      otherIds,
      results: await runAll(owner, ownIds, otherIds),
      otherResults: await runAll(other, otherIds, ownIds),
      emptyResults: await runAll(empty, new Map(), new Map([...ownIds, ...otherIds])),
    };
  })();
  return indexed;
}

const top = (r: Ranked) => r.docnos.slice(0, k);
const show = (docnos: string[]) => (docnos.length > 0 ? docnos.join(', ') : 'nothing');

for (const [qid, text] of golden.queries) {
  const expected = [...(golden.qrels.get(qid) ?? new Map<string, number>())].filter(([, rel]) => rel >= expectGrade).map(([docno]) => docno);
  if (expected.length === 0) continue;
  suite.check(`${qid} "${text}": ${expected.join(', ')} in the top ${k}`, async (c) => {
    const r = (await useIndexed(c)).results.get(qid)!;
    const missing = expected.filter((d) => !top(r).includes(d));
    if (missing.length > 0) {
      raise('SEARCH_EXPECTED_NOT_IN_TOP_K', `"${text}" (${qid}) does not have ${missing.join(', ')} in its top ${k}: it ranks ${show(top(r))}`, [
        { label: `the search (${r.docnos.length} hits: ${show(r.docnos)})`, exchange: r.res.exchange },
      ], { expected: `${expected.join(', ')} in the top ${k}`, actual: show(top(r)) });
    }
  });
}

suite.check(`recall@${k}, MRR, nDCG@${k} and hit@${k} do not drop below the baseline`, async (c) => {
  const ix = await useIndexed(c);
  // The rank is the score, so trec_eval's ordering is the order the user saw.
  const run: Run = new Map([...ix.results].map(([qid, r]) => [qid, r.docnos.map((docno, i) => ({ docno, score: r.docnos.length - i }))]));
  const evaluation = evaluateRun(run, golden.qrels, k);
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  const row = (query: string, words: string, m: Record<string, number>, extra: Record<string, string>) => ({
    query,
    text: words,
    ...Object.fromEntries(MEASURE_NAMES.map((name) => [measureLabel(name, k), round(m[name]!)])),
    ...extra,
  });
  c.report({
    title: `Search quality at k=${k}: ${evaluation.queries.size} judged queries, ${golden.documents.length} documents (trec_eval definitions, averaged like trec_eval -c)`,
    rows: [
      ...[...evaluation.queries].map(([qid, m]) =>
        row(qid, golden.queries.get(qid) ?? '', m as unknown as Record<string, number>, { [`top ${k}`]: show(top(ix.results.get(qid)!)) }),
      ),
      row('mean', golden.baseline ? `baseline: ${MEASURE_NAMES.map((m) => `${measureLabel(m, k)} ${golden.baseline!.value.mean[m]}`).join(', ')}` : 'no baseline', evaluation.mean as unknown as Record<string, number>, { [`top ${k}`]: '' }),
    ],
  });
  const out = join(c.target.context.reportsDir, 'search-quality');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'run.trec'), formatRun(run, 'shipgate', rankRun));
  const measured = join(out, 'baseline.json');
  writeFileSync(measured, `${JSON.stringify(toBaseline(evaluation, golden.baseline?.value.tolerance ?? 0.05), null, 2)}\n`);
  if (!golden.baseline) {
    return c.notApplicable(`there is no baseline at ${golden.baselineFile}; this run's measures are in ${measured}: copy that file there to accept them`);
  }
  const regression = compareToBaseline(evaluation, golden.baseline.value);
  if (regression) {
    const means = regression.means.map((d) => `${d.measure} ${d.baseline} -> ${d.measured}`).join(', ');
    raise(
      'SEARCH_QUALITY_DROPPED',
      `search quality dropped beyond the baseline's tolerance (${golden.baseline.value.tolerance}): mean ${means}; queries that dropped: ${regression.queries.map((q) => q.qid).join(', ')}`,
      [
        {
          label: 'queries that dropped (baseline -> now)',
          text: regression.queries
            .map((q) => `${q.qid} "${golden.queries.get(q.qid)}": ${q.drops.map((d) => `${d.measure} ${d.baseline} -> ${d.measured}`).join(', ')}; top ${k} now ${show(top(ix.results.get(q.qid)!))}`)
            .join('\n'),
        },
        { label: 'baseline file', text: golden.baseline.file },
        ...regression.queries.slice(0, 2).map((q) => ({ label: `the search of ${q.qid}`, exchange: ix.results.get(q.qid)!.res.exchange })),
      ],
      { expected: `no mean measure more than ${golden.baseline.value.tolerance} below the baseline`, actual: means },
    );
  }
});

suite.check("search never returns another tenant's document", async (c) => {
  const ix = await useIndexed(c);
  const sides: [Tenant, Map<string, Ranked>, string][] = [
    [ix.owner, ix.results, `the same ${golden.documents.length} documents as ${ix.other.label}`],
    [ix.other, ix.otherResults, `the same ${golden.documents.length} documents as ${ix.owner.label}`],
    [ix.empty, ix.emptyResults, 'no documents at all'],
  ];
  for (const [tenant, results, holds] of sides) {
    for (const [qid, r] of results) {
      const foreign = r.docnos.filter((d) => d.startsWith('other-tenant:') || d.startsWith('unknown:'));
      if (foreign.length > 0) {
        raise('SEARCH_CROSS_TENANT', `${tenant.label} (which holds ${holds}) searched "${golden.queries.get(qid)}" and got another tenant's document(s): ${foreign.join(', ')}`, [
          { label: `${tenant.label}'s search`, exchange: r.res.exchange },
        ], { expected: `only ${tenant.label}'s own documents`, actual: `${foreign.length} foreign of ${r.docnos.length} hits` });
      }
    }
  }
});
