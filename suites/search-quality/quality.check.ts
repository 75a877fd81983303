import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareToBaseline,
  evaluateRun,
  fail,
  formatBaseline,
  formatFixed4,
  formatRun,
  formatTrecEvalOutput,
  MEASURE_NAMES,
  measureLabel,
  missingMeasures,
  ProviderDoubleControl,
  rankRun,
  toBaseline,
  trecEvalCommand,
  useTarget,
  type AddedDocument,
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
import { mapBounded } from './bounded.ts';
import { detectDepthCap, type DepthCap } from './depth-cap.ts';
import { expectationOf, judgeTopK } from './expectation.ts';
import { SEARCH_FINDINGS, type SearchFindingCode } from './findings.ts';
import { loadGoldenSet } from './golden-set.ts';
import { describeIncomplete, isComplete, makeSearchable, type Completeness } from './index-completeness.ts';
import { SearchApi } from './search-api.ts';
import { checkTimeoutMs } from './work-budget.ts';

const target = await useTarget();
const search = target.profile.search!;
const { k, depth } = search;
const golden = loadGoldenSet(search, target.context.configPath);
const api = new SearchApi(search);
const instances = target.context.baseUrls.length;
const double = target.context.providerDouble;
const timeoutMs = checkTimeoutMs({
  documents: golden.documents.length,
  queries: golden.queries.size,
  depth,
  concurrency: search.concurrency,
  refreshCalls: search.refresh.calls.length,
  refreshWithinMs: search.refresh.until?.withinMs,
  requestTimeoutMs: target.profile.http.timeoutMs,
  probesPerDocument: search.complete !== undefined && !('count' in search.complete),
});
const check = (name: string, body: (c: CheckContext) => Promise<void>) => suite.check(name, body, timeoutMs);

function raise(code: SearchFindingCode, title: string, evidence: Evidence[], o: { expected?: string; actual?: string } = {}): never {
  return fail({ code, title, ...SEARCH_FINDINGS[code], ...o, evidence });
}

/** One hit: the caller's own golden document, another tenant's, or an id shipgate never added. */
interface Hit {
  id: string;
  kind: 'own' | 'foreign' | 'unknown';
  /** The golden docno (own or foreign documents). */
  docno?: string;
  /** The docno in the run: a foreign or unknown hit gets a label no golden docno has, so it counts as not relevant. */
  label: string;
}

interface Ranked {
  hits: Hit[];
  /** The labels, best first; the caller's own documents by docno. */
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
  /** The owner's and the other tenant's index after refresh. */
  completeness: Completeness[];
  /** The first tenant whose index the probe saw incomplete. */
  incomplete: Completeness | undefined;
  /** Each tenant's searches of every golden query, labelled from that tenant's point of view. */
  runPass(tenants: Tenant[], pass: Pass): Promise<Map<Tenant, Map<string, Ranked>>>;
  results: Map<string, Ranked>;
  otherResults: Map<string, Ranked>;
  emptyResults: Map<string, Ranked>;
}

const goldenDocnos = new Set(golden.documents.map((d) => d.docno));
/** A run label for a hit that is not the caller's: never a golden docno, never twice in one query. */
function outsiderLabel(base: string, taken: Set<string>): string {
  let label = base;
  while (goldenDocnos.has(label) || taken.has(label)) label += '~';
  taken.add(label);
  return label;
}

/** A word unique to each golden document, letters only so every tokenizer keeps it whole. */
function markerOf(index: number): string {
  let letters = '';
  for (let n = index; letters.length < 4 || n > 0; n = Math.floor(n / 26)) letters = String.fromCharCode(97 + (n % 26)) + letters;
  return `sgmark${letters}`;
}

let indexed: Promise<Indexed> | undefined;

function useIndexed(c: CheckContext): Promise<Indexed> {
  indexed ??= (async () => {
    const [owner, other] = await c.target.tenants.pair();
    const empty = await c.target.tenants.create();
    const counted = search.complete !== undefined && 'count' in search.complete;
    // Each tenant adds its documents in order (a system that breaks ties by creation ranks them
    // the same way every run); the two tenants add theirs side by side.
    const add = async (t: Tenant) => {
      const before = counted ? (await api.searchableCount(t, 0)).count : 0;
      const docs: AddedDocument[] = [];
      for (const [i, doc] of golden.documents.entries()) {
        const withMarker = { ...doc, marker: markerOf(i) };
        docs.push({ ...withMarker, id: await api.index(t, withMarker, i % instances) });
      }
      return { added: docs, completeness: await makeSearchable({ api, spec: search, tenant: t, docs, countBefore: before, instances }) };
    };
    const emptyRefresh = async () => {
      if (search.refresh.calls.length > 0) await api.refresh(empty, 0);
    };
    const [ownIndex, otherIndex] = await Promise.all([add(owner), add(other), emptyRefresh()]);
    const ownIds = new Map(ownIndex.added.map((d) => [d.id, d.docno]));
    const otherIds = new Map(otherIndex.added.map((d) => [d.id, d.docno]));
    const known = new Map<Tenant, { ids: Map<string, string>; foreign: Map<string, string> }>([
      [owner, { ids: ownIds, foreign: otherIds }],
      [other, { ids: otherIds, foreign: ownIds }],
      [empty, { ids: new Map(), foreign: new Map([...ownIds, ...otherIds]) }],
    ]);
    const rank = (t: Tenant, ids: string[]): Hit[] => {
      const { ids: own, foreign } = known.get(t)!;
      const taken = new Set<string>();
      return ids.map((id) => {
        const docno = own.get(id);
        if (docno !== undefined) return { id, kind: 'own', docno, label: docno };
        const theirs = foreign.get(id);
        if (theirs !== undefined) return { id, kind: 'foreign', docno: theirs, label: outsiderLabel(`other-tenant:${theirs}`, taken) };
        return { id, kind: 'unknown', label: outsiderLabel(`unknown:${id}`, taken) };
      });
    };
    const queries = [...golden.queries];
    const runPass = async (tenants: Tenant[], pass: Pass) => {
      const work = tenants.flatMap((t) => queries.map(([qid, text]) => ({ t, qid, text })));
      const ranked = await mapBounded(work, search.concurrency, async ({ t, qid, text }, i) => {
        const words = `${t.label} searches "${text}" (${qid})${pass === 'fallback' ? ' while embeddings fail' : ''}`;
        const r = pass === 'normal' ? await api.normalQuery(t, text, depth, i % instances, words) : await api.query(t, text, depth, i % instances, words);
        const hits = rank(t, r.ids);
        return { hits, docnos: hits.map((h) => h.label), degraded: r.degraded, res: r.res };
      });
      const out = new Map<Tenant, Map<string, Ranked>>(tenants.map((t) => [t, new Map()]));
      work.forEach(({ t, qid }, i) => out.get(t)!.set(qid, ranked[i]!));
      return out;
    };
    const normal = await runPass([owner, other, empty], 'normal');
    const completeness = [ownIndex.completeness, otherIndex.completeness];
    return {
      owner,
      other,
      empty,
      completeness,
      incomplete: completeness.find((x) => !isComplete(x)),
      runPass,
      results: normal.get(owner)!,
      otherResults: normal.get(other)!,
      emptyResults: normal.get(empty)!,
    };
  })();
  return indexed;
}

const top = (r: Ranked) => r.docnos.slice(0, k);
const show = (docnos: string[]) => (docnos.length > 0 ? docnos.join(', ') : 'nothing');
const drops = (ds: MeasureDrop[]) => ds.map((d) => `${d.measure} ${formatFixed4(d.baseline)} -> ${formatFixed4(d.measured)}`).join(', ');

/** Quality measured on a partial index would report the gap, not the search: such checks do not run. */
function needsCompleteIndex(c: CheckContext, ix: Indexed): void {
  if (ix.incomplete) {
    const missing = ix.incomplete.documents - (ix.incomplete.searchable ?? 0);
    c.notApplicable(`the index is incomplete (${missing} of ${ix.incomplete.documents} golden documents not searchable for ${ix.incomplete.tenant.label}; see "every golden document is searchable after refresh"), so quality cannot be measured`);
  }
}

check('every golden document is searchable after refresh (search.complete)', async (c) => {
  const ix = await useIndexed(c);
  const rows = ix.completeness.map((x) => ({
    tenant: x.tenant.label,
    documents: x.documents,
    searchable: x.searchable ?? 'not probed',
    'refresh rounds': x.rounds,
    'seconds': Number((x.ms / 1000).toFixed(1)),
  }));
  c.report({ title: `Index completeness after refresh (search.complete${search.complete ? `.${ix.completeness[0]!.how}` : ' not declared'})`, rows });
  if (!search.complete) {
    return c.notApplicable(
      'the profile does not say how to see that a document is searchable (search.complete: { count }, { lookup } or { search }), so a partial index would show up as quality findings',
    );
  }
  if (ix.incomplete) {
    const words = describeIncomplete(ix.incomplete, search);
    raise('SEARCH_INDEX_INCOMPLETE', words.title, ix.incomplete.evidence, { expected: words.expected, actual: words.actual });
  }
});

let capped: Promise<DepthCap | undefined> | undefined;

/** Whether the route returned fewer hits than search.depth asked for while more documents match (once for every check that needs it). */
function useDepthCap(c: CheckContext): Promise<DepthCap | undefined> {
  capped ??= (async () => {
    const ix = await useIndexed(c);
    const samples = [...ix.results].map(([qid, r]) => {
      const judged = golden.qrels.get(qid) ?? new Map<string, number>();
      const relevantMissing = [...judged].filter(([docno, grade]) => grade >= 1 && !r.docnos.includes(docno)).map(([docno]) => docno);
      return { qid, hits: r.hits.length, relevantMissing };
    });
    return detectDepthCap(samples, depth, golden.documents.length);
  })();
  return capped;
}

check(`the search returns the ${depth} hits search.depth asks for while more documents match`, async (c) => {
  const ix = await useIndexed(c);
  const cap = await useDepthCap(c);
  if (cap) {
    const q = cap.example;
    fail({
      code: 'CHECK_PRECONDITION',
      title: `search.depth asks for ${depth} hits, but ${cap.atCap.length} of ${ix.results.size} golden queries got exactly ${cap.cap} while ${ix.owner.label} holds ${golden.documents.length} documents (${q.qid} got ${cap.cap} without ${q.relevantMissing.slice(0, 3).join(', ')}, judged relevant): the query route seems to return at most ${cap.cap}; MAP and MRR would be measured ${cap.cap} deep, not ${depth}. Set search.depth to ${cap.cap} or less`,
      promise: 'the query route returns as many hits as search.depth asks for, when that many documents match',
      severity: 'high',
      expected: `up to ${depth} hits per query`,
      actual: `at most ${cap.cap}`,
      evidence: [{ label: `the search of ${q.qid}`, exchange: ix.results.get(q.qid)!.res.exchange }],
    });
  }
});

for (const [qid, text] of golden.queries) {
  const expectation = expectationOf(golden.qrels.get(qid) ?? new Map<string, number>(), search);
  if (!expectation) continue;
  check(`${qid} "${text}": ${expectation.words}`, async (c) => {
    const ix = await useIndexed(c);
    needsCompleteIndex(c, ix);
    const r = ix.results.get(qid)!;
    const { found, missing, met } = judgeTopK(expectation, top(r));
    if (!met) {
      const lacking = search.expect === 'all' ? `does not have ${missing.join(', ')}` : `has ${found.length} of the ${expectation.needed} needed (${show(found)})`;
      raise('SEARCH_EXPECTED_NOT_IN_TOP_K', `"${text}" (${qid}) ${lacking} in its top ${k}: it ranks ${show(top(r))}`, [
        { label: `the search (${r.docnos.length} hits: ${show(r.docnos)})`, exchange: r.res.exchange },
      ], { expected: expectation.words, actual: show(top(r)) });
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
    writeFileSync(join(out, 'trec_eval.txt'), formatTrecEvalOutput(evaluation));
    const b = golden.baseline?.value;
    writeFileSync(join(out, 'baseline.json'), formatBaseline(toBaseline(evaluation, b?.tolerance ?? 0.05, b?.queryTolerance)));
    return { evaluation, ix, regression: b ? compareToBaseline(evaluation, b) : undefined };
  })();
  return measured;
}

const noBaseline = (c: CheckContext) =>
  c.notApplicable(`there is no baseline at ${golden.baselineFile}; this run's measures are in ${join(c.target.context.reportsDir, 'search-quality', 'baseline.json')}: copy that file there to accept them`);

/** Measures taken shallower than search.depth would compare a truncated run with its baseline. */
async function needsFullDepth(c: CheckContext): Promise<void> {
  const cap = await useDepthCap(c);
  if (cap) c.notApplicable(`the query route returns at most ${cap.cap} hits, fewer than search.depth (${depth}); see "the search returns the ${depth} hits search.depth asks for"`);
}

const labels = MEASURE_NAMES.map((m) => measureLabel(m, k));
const labelList = `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;

check(`${labelList} do not drop below the baseline`, async (c) => {
  const { evaluation, regression, ix } = await useMeasured(c);
  const row = (query: string, words: string, m: Record<string, number>, extra: Record<string, string>) => ({
    query,
    text: words,
    ...Object.fromEntries(MEASURE_NAMES.map((name) => [measureLabel(name, k), formatFixed4(m[name]!)])),
    ...extra,
  });
  const base = golden.baseline?.value;
  const lacking = base ? missingMeasures(base) : [];
  c.report({
    title: `Search quality at k=${k}, depth ${depth}${ix.incomplete ? ', on an incomplete index (shown, not judged)' : ''}: ${evaluation.queries.size} judged queries, ${golden.documents.length} documents (trec_eval definitions, averaged like trec_eval -c; ${join(c.target.context.reportsDir, 'search-quality', 'trec_eval.txt')} is what \`${trecEvalCommand(k, join(golden.dir, 'qrels.txt'), 'run.trec')}\` prints)`,
    rows: [
      ...[...evaluation.queries].map(([qid, m]) =>
        row(qid, golden.queries.get(qid) ?? '', m as unknown as Record<string, number>, { [`top ${k}`]: show(top(ix.results.get(qid) ?? { docnos: [] } as unknown as Ranked)) }),
      ),
      row(
        'mean',
        base
          ? `baseline: ${MEASURE_NAMES.filter((m) => typeof base.mean[m] === 'number').map((m) => `${measureLabel(m, k)} ${formatFixed4(base.mean[m]!)}`).join(', ')}${lacking.length > 0 ? `; the baseline has no ${lacking.map((m) => measureLabel(m, k)).join(' or ')} (recorded before they were measured): record a new one to gate on them` : ''}`
          : 'no baseline',
        evaluation.mean as unknown as Record<string, number>,
        { [`top ${k}`]: '' },
      ),
    ],
    metrics: Object.fromEntries(MEASURE_NAMES.map((name) => [measureLabel(name, k), evaluation.mean[name]])),
  });
  needsCompleteIndex(c, ix);
  await needsFullDepth(c);
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

check(`no golden query's ${labelList} drops below its baseline`, async (c) => {
  const { regression, ix } = await useMeasured(c);
  needsCompleteIndex(c, ix);
  await needsFullDepth(c);
  if (!golden.baseline) return noBaseline(c);
  const tolerance = golden.baseline.value.queryTolerance ?? golden.baseline.value.tolerance;
  if (regression && regression.gated.length > 0) {
    const named = regression.gated.map((q) => `${q.qid} "${golden.queries.get(q.qid)}" (${drops(q.drops)})`);
    raise(
      'SEARCH_QUERY_DROPPED',
      `${regression.gated.length === 1 ? 'a golden query' : `${regression.gated.length} golden queries`} dropped beyond the baseline's query tolerance (${tolerance}): ${named.slice(0, 10).join('; ')}${named.length > 10 ? `; and ${named.length - 10} more` : ''}`,
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
      const foreign = r.hits.filter((h) => h.kind !== 'own').map((h) => (h.kind === 'foreign' ? `${h.docno} of the other tenant (id ${h.id})` : `id ${h.id}, not a document shipgate added to ${tenant.label}`));
      if (foreign.length > 0) {
        raise('SEARCH_CROSS_TENANT', `${tenant.label} (which holds ${holds}) searched "${golden.queries.get(qid)}"${how} and got another tenant's document(s): ${foreign.join(', ')}`, [
          { label: `${tenant.label}'s search`, exchange: r.res.exchange },
        ], { expected: `only ${tenant.label}'s own documents`, actual: `${foreign.length} foreign of ${r.hits.length} hits` });
      }
    }
  }
}

const holdings = (ix: Indexed) => ({
  owner: `the same ${golden.documents.length} documents as ${ix.other.label}`,
  other: `the same ${golden.documents.length} documents as ${ix.owner.label}`,
  empty: 'no documents at all',
});

check("search never returns another tenant's document", async (c) => {
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
check("search never returns another tenant's document when it falls back to full text (embeddings fail)", async (c) => {
  if (!double) return c.notApplicable('no provider double to make embeddings fail (launch.providerDouble, or providerDouble in the profile)');
  const ix = await useIndexed(c);
  const control = new ProviderDoubleControl(double.controlUrl, { ...(double.controlToken ? { token: double.controlToken } : {}) });
  const owner = `search-quality-${process.pid}`;
  const scripts = await mapBounded([...golden.queries.values()], 16, (text) =>
    // As the query appears inside the JSON request body the system sends.
    control.script({ match: { kind: 'embeddings', contains: JSON.stringify(text).slice(1, -1) }, respond: { type: 'status', status: 500 }, owner, label: 'search-quality: embeddings fail' }),
  );
  let sides: [Tenant, Map<string, Ranked>, string][];
  try {
    const h = holdings(ix);
    const fallback = await ix.runPass([ix.owner, ix.other, ix.empty], 'fallback');
    sides = [
      [ix.owner, fallback.get(ix.owner)!, h.owner],
      [ix.other, fallback.get(ix.other)!, h.other],
      [ix.empty, fallback.get(ix.empty)!, h.empty],
    ];
  } finally {
    await control.removeOwner(owner);
  }
  const failedByQuery = await mapBounded(scripts, 16, (s) => control.calls({ script: s.id }));
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
