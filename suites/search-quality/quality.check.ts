import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareToBaseline,
  evaluateRun,
  fail,
  formatRun,
  MEASURE_NAMES,
  measureLabel,
  ProviderDoubleControl,
  rankRun,
  toBaseline,
  useTarget,
  type CheckContext,
  type Evaluation,
  type Evidence,
  type HttpResult,
  type MeasureDrop,
  type Regression,
  type Run,
  type Tenant,
} from 'shipgate';
import suite from './suite.ts';
import { SEARCH_FINDINGS, type SearchFindingCode } from './findings.ts';
import { loadGoldenSet } from './golden-set.ts';
import { SearchApi, type SearchResult } from './search-api.ts';

const target = await useTarget();
const search = target.profile.search!;
const { k, depth, expectGrade } = search;
const golden = loadGoldenSet(search, target.context.configPath);
const api = new SearchApi(search);
const instances = target.context.baseUrls.length;
const double = target.context.providerDouble;

function raise(code: SearchFindingCode, title: string, evidence: Evidence[], o: { expected?: string; actual?: string } = {}): never {
  return fail({ code, title, ...SEARCH_FINDINGS[code], ...o, evidence });
}

interface Ranked {
  ids: string[];
  /** The hits as docnos; another tenant's document is `other-tenant:<docno>`, an unknown id `unknown:<id>`. */
  docnos: string[];
  degraded: boolean;
  res: HttpResult;
}

/** How a pass runs its searches: the full search (a degraded answer stops the suite), or any answer (the fallback pass). */
type Pass = 'normal' | 'fallback';

/** A tenant with the golden set indexed, a second with the same documents (so a leak ties with the real hit), and one with none. */
interface Indexed {
  owner: Tenant;
  other: Tenant;
  empty: Tenant;
  /** Every tenant's searches of every golden query, labelled from that tenant's point of view. */
  runAll(t: Tenant, pass: Pass): Promise<Map<string, Ranked>>;
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
    const known = new Map<Tenant, { ids: Map<string, string>; foreign: Map<string, string> }>([
      [owner, { ids: ownIds, foreign: otherIds }],
      [other, { ids: otherIds, foreign: ownIds }],
      [empty, { ids: new Map(), foreign: new Map([...ownIds, ...otherIds]) }],
    ]);
    const runAll = async (t: Tenant, pass: Pass) => {
      const { ids, foreign } = known.get(t)!;
      const label = (id: string) => ids.get(id) ?? (foreign.has(id) ? `other-tenant:${foreign.get(id)}` : `unknown:${id}`);
      const out = new Map<string, Ranked>();
      for (const [i, [qid, text]] of [...golden.queries].entries()) {
        const words = `${t.label} searches "${text}" (${qid})${pass === 'fallback' ? ' while embeddings fail' : ''}`;
        const r: SearchResult = pass === 'normal' ? await api.normalQuery(t, text, depth, i % instances, words) : await api.query(t, text, depth, i % instances, words);
        out.set(qid, { ids: r.ids, docnos: r.ids.map(label), degraded: r.degraded, res: r.res });
      }
      return out;
    };
    return {
      owner,
      other,
      empty,
      runAll,
      results: await runAll(owner, 'normal'),
      otherResults: await runAll(other, 'normal'),
      emptyResults: await runAll(empty, 'normal'),
    };
  })();
  return indexed;
}

const top = (r: Ranked) => r.docnos.slice(0, k);
const show = (docnos: string[]) => (docnos.length > 0 ? docnos.join(', ') : 'nothing');
const drops = (ds: MeasureDrop[]) => ds.map((d) => `${d.measure} ${d.baseline} -> ${d.measured}`).join(', ');

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

let measured: Promise<{ evaluation: Evaluation; regression: Regression | undefined; ix: Indexed }> | undefined;

/** The run's measures, written to the reports folder, and how they compare to the baseline (once for both baseline checks). */
function useMeasured(c: CheckContext) {
  measured ??= (async () => {
    const ix = await useIndexed(c);
    // The rank is the score, so trec_eval's ordering is the order the user saw.
    const run: Run = new Map([...ix.results].map(([qid, r]) => [qid, r.docnos.map((docno, i) => ({ docno, score: r.docnos.length - i }))]));
    const evaluation = evaluateRun(run, golden.qrels, k);
    const out = join(c.target.context.reportsDir, 'search-quality');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'run.trec'), formatRun(run, 'shipgate', rankRun));
    const b = golden.baseline?.value;
    writeFileSync(join(out, 'baseline.json'), `${JSON.stringify(toBaseline(evaluation, b?.tolerance ?? 0.05, b?.queryTolerance), null, 2)}\n`);
    return { evaluation, ix, regression: b ? compareToBaseline(evaluation, b) : undefined };
  })();
  return measured;
}

const noBaseline = (c: CheckContext) =>
  c.notApplicable(`there is no baseline at ${golden.baselineFile}; this run's measures are in ${join(c.target.context.reportsDir, 'search-quality', 'baseline.json')}: copy that file there to accept them`);

suite.check(`recall@${k}, MRR, nDCG@${k} and hit@${k} do not drop below the baseline`, async (c) => {
  const { evaluation, regression, ix } = await useMeasured(c);
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
  if (!golden.baseline) return noBaseline(c);
  if (regression && regression.means.length > 0) {
    const means = drops(regression.means);
    raise(
      'SEARCH_QUALITY_DROPPED',
      `search quality dropped beyond the baseline's tolerance (${golden.baseline.value.tolerance}): mean ${means}; queries that dropped: ${regression.queries.map((q) => q.qid).join(', ')}`,
      [
        {
          label: 'queries that dropped (baseline -> now)',
          text: regression.queries.map((q) => `${q.qid} "${golden.queries.get(q.qid)}": ${drops(q.drops)}; top ${k} now ${show(top(ix.results.get(q.qid)!))}`).join('\n'),
        },
        { label: 'baseline file', text: golden.baseline.file },
        ...regression.queries.slice(0, 2).map((q) => ({ label: `the search of ${q.qid}`, exchange: ix.results.get(q.qid)!.res.exchange })),
      ],
      { expected: `no mean measure more than ${golden.baseline.value.tolerance} below the baseline`, actual: means },
    );
  }
});

suite.check(`no golden query's recall@${k}, MRR, nDCG@${k} or hit@${k} drops below its baseline`, async (c) => {
  const { regression, ix } = await useMeasured(c);
  if (!golden.baseline) return noBaseline(c);
  const tolerance = golden.baseline.value.queryTolerance ?? golden.baseline.value.tolerance;
  if (regression && regression.gated.length > 0) {
    const named = regression.gated.map((q) => `${q.qid} "${golden.queries.get(q.qid)}" (${drops(q.drops)})`);
    raise(
      'SEARCH_QUERY_DROPPED',
      `${regression.gated.length === 1 ? 'a golden query' : `${regression.gated.length} golden queries`} dropped beyond the baseline's query tolerance (${tolerance}): ${named.join('; ')}`,
      [
        {
          label: 'queries that dropped beyond the tolerance (baseline -> now)',
          text: regression.gated.map((q) => `${q.qid} "${golden.queries.get(q.qid)}": ${drops(q.drops)}; top ${k} now ${show(top(ix.results.get(q.qid)!))}`).join('\n'),
        },
        { label: 'baseline file', text: golden.baseline.file },
        ...regression.gated.slice(0, 2).map((q) => ({ label: `the search of ${q.qid}`, exchange: ix.results.get(q.qid)!.res.exchange })),
      ],
      { expected: `no query's measure more than ${tolerance} below its baseline`, actual: named.join('; ') },
    );
  }
});

/** The searches' foreign hits, as a finding naming the tenant, the query and the documents. */
function noForeignHits(sides: [Tenant, Map<string, Ranked>, string][], how: string): void {
  for (const [tenant, results, holds] of sides) {
    for (const [qid, r] of results) {
      const foreign = r.docnos.filter((d) => d.startsWith('other-tenant:') || d.startsWith('unknown:'));
      if (foreign.length > 0) {
        raise('SEARCH_CROSS_TENANT', `${tenant.label} (which holds ${holds}) searched "${golden.queries.get(qid)}"${how} and got another tenant's document(s): ${foreign.join(', ')}`, [
          { label: `${tenant.label}'s search`, exchange: r.res.exchange },
        ], { expected: `only ${tenant.label}'s own documents`, actual: `${foreign.length} foreign of ${r.docnos.length} hits` });
      }
    }
  }
}

const holdings = (ix: Indexed) => ({
  owner: `the same ${golden.documents.length} documents as ${ix.other.label}`,
  other: `the same ${golden.documents.length} documents as ${ix.owner.label}`,
  empty: 'no documents at all',
});

suite.check("search never returns another tenant's document", async (c) => {
  const ix = await useIndexed(c);
  const h = holdings(ix);
  noForeignHits(
    [
      [ix.owner, ix.results, h.owner],
      [ix.other, ix.otherResults, h.other],
      [ix.empty, ix.emptyResults, h.empty],
    ],
    '',
  );
});

/**
 * The fallback path is a different query (full text alone): a tenant filter it forgets shows only
 * when embeddings fail. The double fails every embeddings call that carries a golden query. A
 * clean answer counts only if the fallback ran: every search by a tenant with documents says it
 * ran degraded when the profile sets search.degraded; without it, at least one embeddings call
 * must have failed (a circuit breaker may rightly skip the rest), and the report says how many
 * queries' embeddings failed.
 */
suite.check("search never returns another tenant's document when it falls back to full text (embeddings fail)", async (c) => {
  if (!double) return c.notApplicable('no provider double to make embeddings fail (launch.providerDouble, or providerDouble in the profile)');
  const ix = await useIndexed(c);
  const control = new ProviderDoubleControl(double.controlUrl, { ...(double.controlToken ? { token: double.controlToken } : {}) });
  const owner = `search-quality-${process.pid}`;
  const scripts = await Promise.all(
    [...golden.queries.values()].map((text) =>
      // As the query appears inside the JSON request body the system sends.
      control.script({ match: { kind: 'embeddings', contains: JSON.stringify(text).slice(1, -1) }, respond: { type: 'status', status: 500 }, owner, label: 'search-quality: embeddings fail' }),
    ),
  );
  let sides: [Tenant, Map<string, Ranked>, string][];
  try {
    const h = holdings(ix);
    sides = [
      [ix.owner, await ix.runAll(ix.owner, 'fallback'), h.owner],
      [ix.other, await ix.runAll(ix.other, 'fallback'), h.other],
      [ix.empty, await ix.runAll(ix.empty, 'fallback'), h.empty],
    ];
  } finally {
    await control.removeOwner(owner);
  }
  const failedByQuery = await Promise.all(scripts.map((s) => control.calls({ script: s.id })));
  const failed = failedByQuery.flat();
  const [first] = sides[0]![1].values();
  if (failed.length === 0) {
    fail({
      code: 'CHECK_PRECONDITION',
      title: 'the searches never asked the provider double for an embedding of the query text, so the full-text fallback could not be brought about',
      promise: 'the search embeds the query text through the provider double it is pointed at, uncached (search.query, launch.providerDouble / providerDouble)',
      severity: 'high',
      evidence: first ? [{ label: "the owner's first search", exchange: first.res.exchange }] : [],
    });
  }
  const searches = sides.flatMap(([t, results]) => [...results].map(([qid, r]) => ({ tenant: t, qid, r })));
  const degraded = searches.filter((x) => x.r.degraded).length;
  const ownHits = [...sides[0]![1].values()].reduce((n, r) => n + r.docnos.length, 0);
  if (ownHits === 0) {
    fail({
      code: 'CHECK_PRECONDITION',
      title: `with embeddings failing, ${ix.owner.label}'s searches found nothing at all, so a foreign document could not be seen either`,
      promise: 'the full-text fallback finds the golden documents',
      severity: 'high',
      evidence: first ? [{ label: "the owner's first search", exchange: first.res.exchange }] : [],
    });
  }
  c.report({
    title: `Full-text fallback: ${failed.length} embeddings calls failed by the double, ${degraded} of ${searches.length} searches said they ran degraded${search.degraded ? '' : ' (search.degraded not set: the default reading of the answer)'}, ${ownHits} hits for ${ix.owner.label}`,
    text:
      'Each golden query searched by the owner, the tenant with the same documents and the empty tenant, with every embeddings call for it answered HTTP 500. ' +
      `${failedByQuery.filter((calls) => calls.length > 0).length} of ${golden.queries.size} golden queries had an embeddings call failed` +
      (search.degraded ? '.' : ': without search.degraded an answer cannot say it fell back, so a query whose embedding never failed (a circuit breaker, a cache) ran the fallback unseen or not at all.'),
  });
  noForeignHits(sides, ' while embeddings failed (the full-text fallback)');
  // A foreign hit above is a finding whatever ran; a clean answer counts only if the fallback ran.
  if (search.degraded) {
    // The answer says it fell back: without that, a search answered from a cached embedding (no fallback run) would pass.
    // The empty tenant may rightly answer at once, without embedding the query: it has no documents to rank.
    const judged = searches.filter((x) => x.tenant !== ix.empty);
    const normal = judged.filter((x) => !x.r.degraded);
    if (normal.length > 0) {
      fail({
        code: 'CHECK_PRECONDITION',
        title: `with embeddings failing, ${normal.length} of ${judged.length} searches by tenants with documents did not say they ran degraded (search.degraded), e.g. ${normal[0]!.tenant.label}'s search for ${normal[0]!.qid}: the full-text fallback was not shown to run for them (an embedding cached from an earlier search?)`,
        promise: 'every search whose query embedding fails runs the full-text fallback and says so (search.degraded)',
        severity: 'high',
        expected: `${judged.length} of ${judged.length} searches degraded`,
        actual: `${judged.length - normal.length} of ${judged.length}`,
        evidence: normal.slice(0, 3).map((x) => ({ label: `${x.tenant.label} searches ${x.qid}, not degraded`, exchange: x.r.res.exchange })),
      });
    }
  }
});
