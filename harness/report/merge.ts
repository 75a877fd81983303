/**
 * `shipgate report --merge`: the shards of one release check, run in parallel CI jobs (each
 * `shipgate verify --suite ... --reports <dir>`), joined into one verdict. Each suite's results
 * come from the one shard that ran it, so the merged counts, findings and gate are those a single
 * run of every suite would have given.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decideGate } from './gate.ts';
import type { RunReport, SuiteResult } from './model.ts';

/** The full run, as the model every report renders: what `shipgate report` reads back. */
export const RUN_FILE = 'run.json';

export class MergeError extends Error {}

export interface Shard {
  dir: string;
  report: RunReport;
}

/** Reads a shard's run.json, or says what is wrong with the folder. */
export function readShard(dir: string): Shard {
  const file = join(dir, RUN_FILE);
  if (!existsSync(dir)) throw new MergeError(`${dir}: no such folder`);
  if (!existsSync(file)) throw new MergeError(`${dir} has no ${RUN_FILE}: give the --reports folder of a 'shipgate verify' run (shipgate writes ${RUN_FILE} there)`);
  let report: RunReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
  } catch (err) {
    throw new MergeError(`${file} is not JSON: ${(err as Error).message}`);
  }
  if (!report || typeof report !== 'object' || !Array.isArray(report.suites) || !Array.isArray(report.tests) || typeof report.gate !== 'string') {
    throw new MergeError(`${file} is not a shipgate run (no gate, suites and tests)`);
  }
  return { dir, report };
}

/** A suite ran in a shard unless it was left out there by `--suite`. */
const ranIn = (s: SuiteResult) => s.status !== 'skipped';

/** The suites each shard answered for. */
export function shardSuites(shard: Shard): string[] {
  return shard.report.suites.filter(ranIn).map((s) => s.id);
}

/**
 * For shards made with `verify --shard i/n`: every i from 1 to n once, all of one n. A missing
 * shard (a cancelled job, an artifact not downloaded) would leave its suites out of the verdict.
 * A shard that stopped before reading its options carries no i/n and is judged by its ERROR.
 */
export function checkShardSet(shards: Shard[]): void {
  const numbered = shards.filter((s) => s.report.shard);
  if (numbered.length === 0) return;
  const counts = [...new Set(numbered.map((s) => s.report.shard!.count))];
  if (counts.length > 1) throw new MergeError(`the shards split the suites differently (${numbered.map((s) => `${s.dir}: ${s.report.shard!.index}/${s.report.shard!.count}`).join(', ')}): merge the shards of one run`);
  const n = counts[0]!;
  const seen = new Map<number, string>();
  for (const s of numbered) {
    const i = s.report.shard!.index;
    if (seen.has(i)) throw new MergeError(`shard ${i}/${n} was given twice (${seen.get(i)} and ${s.dir})`);
    seen.set(i, s.dir);
  }
  const missing = Array.from({ length: n }, (_, k) => k + 1).filter((i) => !seen.has(i));
  const unnumbered = shards.filter((s) => !s.report.shard).map((s) => s.dir);
  if (missing.length > 0 && unnumbered.length < missing.length) {
    throw new MergeError(`shard ${missing.map((i) => `${i}/${n}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: give the --reports folder of every shard, or the merged verdict would leave their suites out`);
  }
}

/**
 * Joins shards into one run. A suite answered by two shards is refused (each suite belongs in
 * one shard, or the counts would double); a suite no shard ran stays `skipped`, and the gate
 * then says the merged run was narrowed, exactly as a single run with those suites left out.
 */
export function mergeShards(shards: Shard[]): RunReport {
  if (shards.length === 0) throw new MergeError('give at least one shard folder: shipgate report --merge <dir> <dir> ...');
  // The run the merged one is described from: the first that got as far as loading the profile.
  const first = (shards.find((s) => s.report.gate !== 'ERROR') ?? shards[0]!).report;
  const owner = new Map<string, Shard>();
  for (const shard of shards) {
    for (const id of shardSuites(shard)) {
      const seen = owner.get(id);
      if (seen) throw new MergeError(`suite ${id} ran in two shards (${seen.dir} and ${shard.dir}): give each suite to one shard, or the merged counts would count it twice`);
      owner.set(id, shard);
    }
  }
  const ids = [...new Set(shards.flatMap((s) => s.report.suites.map((x) => x.id)))].sort((a, b) => a.localeCompare(b));
  const suites: SuiteResult[] = ids.map((id) => {
    const from = owner.get(id);
    const found = (from ?? shards.find((s) => s.report.suites.some((x) => x.id === id))!).report.suites.find((x) => x.id === id)!;
    return from ? found : { ...found, reason: 'not selected in any shard' };
  });
  const tests = shards.flatMap((s) => s.report.tests.filter((t) => owner.get(t.suite) === s));
  const findings = shards.flatMap((s) => s.report.findings.filter((f) => f.suite !== undefined && owner.get(f.suite) === s));
  // An error outside any check belongs to the shard whose suite file it names, or to every shard (it stops the gate either way).
  // A shard that stopped before it verified anything is named, with why: its suites are missing from the merge.
  const errors = shards.flatMap((s) =>
    s.report.gate === 'ERROR'
      ? [`shard ${s.dir}${s.report.shard ? ` (${s.report.shard.index}/${s.report.shard.count})` : ''} stopped before it verified anything (exit ${s.report.exitCode ?? '?'}): ${s.report.gateReasons[0] ?? s.report.errors[0] ?? 'no reason recorded'}`]
      : s.report.errors.filter((e) => {
          const suite = /^suites\/([^/]+)\//.exec(e)?.[1];
          return suite === undefined || owner.get(suite) === s;
        }),
  );
  const required = [...new Set(shards.flatMap((s) => s.report.gateRequire ?? []))];
  const ran = [...owner.keys()];
  const everySuite = ids.every((id) => owner.has(id));
  const decided = decideGate({ suites, errors, required, ...(everySuite ? {} : { selected: ran }), ...(first.unclassified ? { unclassified: first.unclassified } : {}) });
  const startedAt = shards.map((s) => s.report.startedAt).sort()[0]!;
  const finishedAt = shards.map((s) => s.report.finishedAt).sort().at(-1)!;
  const seeds = [...new Set(shards.map((s) => s.report.seed))];
  const versions = [...new Set(shards.map((s) => s.report.tool.version))];
  const warnings = [
    ...new Set(shards.flatMap((s) => s.report.warnings)),
    ...(seeds.length > 1 ? [`the shards ran with different seeds (${seeds.join(', ')}): each finding's replay command names its own`] : []),
    ...(versions.length > 1 ? [`the shards ran different shipgate versions (${versions.join(', ')})`] : []),
    ...(new Set(shards.map((s) => s.report.target.name)).size > 1 ? [`the shards verified different targets (${[...new Set(shards.map((s) => s.report.target.name))].join(', ')})`] : []),
  ];
  return {
    ...first,
    gate: decided.gate,
    gateReasons: decided.reasons,
    narrowed: decided.narrowed,
    exitCode: undefined,
    gateRequire: required,
    seed: first.seed,
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    target: { ...first.target, baseUrls: [...new Set(shards.flatMap((s) => s.report.target.baseUrls))] },
    suites,
    tests,
    findings,
    errors,
    identities: tests.reduce((sum, t) => ({ made: sum.made + (t.identities?.made ?? 0), throttled: sum.throttled + (t.identities?.throttled ?? 0) }), { made: 0, throttled: 0 }),
    warnings,
  };
}
