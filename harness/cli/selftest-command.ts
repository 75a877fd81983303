import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { usableCores } from '../run/usable-cores.ts';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadProfile } from '../profile/load.ts';
import { startDatabaseServer } from '../provision/database.ts';
import { writeReports } from '../report/write.ts';
import { selectedVerdict } from '../report/gate.ts';
import type { RunReport } from '../report/model.ts';
import { runVerify } from '../run/verify.ts';
import { SetupTemplates } from '../provision/setup-templates.ts';
import type { TargetProfile } from '../profile/schema.ts';
import { runBounded } from '../selftest/bounded-pool.ts';
import { makeRunFolder, removeRunFolder } from '../provision/run-folders.ts';
import { moduleCachesOff } from '../runner/module-cache.ts';
import { discoverSuites } from '../suites/registry.ts';
import { defectChangesSetup, EMBEDDED_SYSTEMS, embeddedConfigPath, loadDefects, type EmbeddedSystem } from '../embedded/systems.ts';
import type { DefectSpec } from '../selftest/catalog.ts';
import { judgeDefect, type DefectOutcome } from '../selftest/judge.ts';
import { detectionMatrix } from '../selftest/matrix.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { CI_ITERATIONS, parseIntOption, seedOption } from './options.ts';
import { PACKAGE_ROOT, VERSION } from './package-info.ts';
import { reportsDirOf } from './verify-command.ts';

export const SELFTEST_USAGE = `shipgate selftest [--system name ...] [--defect id ...] [--seed n] [--runs n] [--iterations n] [--reports dir] [--jobs n]

Runs the suites against every embedded system (${EMBEDDED_SYSTEMS.map((s) => s.name).join(', ')}), clean and with each of
its known defects switched on, and writes reports/selftest.{json,md} (the detection matrix) and
reports/selftest/<system>/<defect>/.
  --system   only these embedded systems (repeatable)
  --defect   only these defects (repeatable; 'system:id' where two systems share an id); the clean
             runs then cover their suites, on their systems only
  --seed     replay an earlier selftest's generated cases
  --runs     generated cases per property (default 5)
  --iterations  schedules per concurrency check (default: the CI depth)
  --reports  output folder (default ./reports)
  --jobs     runs at a time (default: the cores this process may use, a cgroup CPU quota included:
             ${usableCores()} here); each run boots its own system on one shared database server, its
             database a fresh copy of the system's migrated template unless its defect changes the
             migrations; the console keeps the catalog's order
Exit: 0 when every clean system is GO and every defect is caught by the suites named for it,
1 otherwise, 2 on a usage error.`;

interface Chosen {
  system: EmbeddedSystem;
  defects: readonly DefectSpec[];
}

/** Which systems and defects run: all of them, or what --system and --defect name. */
async function choose(systems: string[], defects: string[]): Promise<Chosen[]> {
  const unknownSystems = systems.filter((n) => !EMBEDDED_SYSTEMS.some((s) => s.name === n));
  if (unknownSystems.length > 0) throw new UsageError(`unknown embedded system ${unknownSystems.join(', ')}; known: ${EMBEDDED_SYSTEMS.map((s) => s.name).join(', ')}`);
  const catalogs = await Promise.all(EMBEDDED_SYSTEMS.map(async (system) => ({ system, defects: await loadDefects(PACKAGE_ROOT, system) })));
  const inScope = catalogs.filter((c) => systems.length === 0 || systems.includes(c.system.name));
  if (defects.length === 0) return inScope;
  const matches = (c: Chosen, want: string) => {
    const [sys, id] = want.includes(':') ? want.split(':', 2) : [undefined, want];
    return (sys === undefined || sys === c.system.name) ? c.defects.filter((d) => d.id === id) : [];
  };
  const unknown = defects.filter((want) => inScope.every((c) => matches(c, want).length === 0));
  if (unknown.length > 0) {
    throw new UsageError(`unknown defect ${unknown.join(', ')}; known defects: ${inScope.map((c) => `${c.system.name}: ${c.defects.map((d) => d.id).join(', ')}`).join('; ')}`);
  }
  return inScope.map((c) => ({ system: c.system, defects: c.defects.filter((d) => defects.some((want) => matches(c, want).includes(d))) })).filter((c) => c.defects.length > 0);
}

/** One run of selftest: a system's clean run, or one of its defects. */
interface Job {
  system: EmbeddedSystem;
  defect?: DefectSpec;
  selected: string[];
}

interface Done {
  report: RunReport;
  outcome?: DefectOutcome;
  durationMs: number;
}

export async function selftestCommand(argv: string[], log: (line: string) => void): Promise<number> {
  // An earlier selftest's verdict never outlives this one, whatever stops it.
  for (const name of ['selftest.json', 'selftest.md']) rmSync(join(reportsDirOf(argv), name), { force: true });
  const { values } = parseArgs({
    args: argv,
    options: {
      system: { type: 'string', multiple: true },
      defect: { type: 'string', multiple: true },
      seed: { type: 'string' },
      runs: { type: 'string' },
      iterations: { type: 'string' },
      reports: { type: 'string' },
      jobs: { type: 'string' },
    },
    strict: true,
  });
  const narrowed = (values.defect ?? []).length > 0;
  const chosen = await choose(values.system ?? [], values.defect ?? []);
  const seed = seedOption(values.seed);
  const runs = parseIntOption('runs', values.runs, 1, 5);
  const iterations = parseIntOption('iterations', values.iterations, 1, CI_ITERATIONS);
  const jobs = parseIntOption('jobs', values.jobs, 1, usableCores());
  const reportsDir = join(values.reports ?? 'reports', 'selftest');
  const suites = (await discoverSuites(PACKAGE_ROOT)).filter((s) => s.runBy === 'verify');
  mkdirSync(reportsDir, { recursive: true });

  const total = chosen.reduce((n, c) => n + c.defects.length, 0);
  // Each system's clean run first, then its defects: the order of the console and the matrix.
  const work: Job[] = chosen.flatMap(({ system, defects }) => [
    // With --defect, the clean run covers the suites those defects are about; else every suite.
    { system, selected: narrowed ? [...new Set(defects.flatMap((d) => d.caughtBy))] : [] },
    ...defects.map((defect) => ({ system, defect, selected: defect.caughtBy })),
  ]);
  log(`shipgate selftest · ${chosen.map((c) => c.system.name).join(', ')} · ${total} defect(s) · seed ${seed} · ${Math.min(jobs, work.length)} run(s) at a time`);
  const started = Date.now();
  const database = await startDatabaseServer(reportsDir);
  const templates = new SetupTemplates(database, join(reportsDir, 'logs'));
  const profiles = new Map<string, Promise<TargetProfile>>();
  const profileOf = (system: EmbeddedSystem) => {
    let p = profiles.get(system.name);
    if (!p) {
      p = loadProfile(embeddedConfigPath(PACKAGE_ROOT, system));
      profiles.set(system.name, p);
    }
    return p;
  };

  // One module cache per lane: a lane's runs follow each other, so each after its first loads the
  // suites' modules already transformed, and no two runs ever share a cache at once.
  // SHIPGATE_MODULE_CACHE=0 turns them off, as it does for verify.
  const laneModules: string[] = [];
  const moduleCacheOf = (lane: number) => (moduleCachesOff() ? undefined : (laneModules[lane] ??= makeRunFolder(`modules-lane${lane}`)));

  const run = async (job: Job, _index: number, lane: number): Promise<Done> => {
    const { system, defect } = job;
    const configPath = embeddedConfigPath(PACKAGE_ROOT, system);
    const id = defect?.id ?? 'clean';
    const out = join(reportsDir, system.name, id);
    // The clean baseline never inherits a defect switch from the caller's environment. A defect
    // that only changes the running code leaves the setup as the clean run has it, so its
    // database can be a copy of the one migrated template; one that changes the setup gets its own.
    const ownSetup = defect !== undefined && defectChangesSetup(PACKAGE_ROOT, system, defect);
    const modules = moduleCacheOf(lane);
    const t0 = Date.now();
    const report = await runVerify({
      root: PACKAGE_ROOT,
      configPath,
      embedded: system.name,
      profile: await profileOf(system),
      suites,
      seed,
      runs,
      iterations,
      version: VERSION,
      databaseServer: database,
      selected: job.selected,
      jobs,
      reportsDir: out,
      label: `${system.name}-${id}`,
      envOverrides: { [system.defectsEnv]: defect?.id ?? '' },
      ...(ownSetup ? {} : { setupEnvOverrides: { [system.defectsEnv]: '' } }),
      ...(system.setupMigratesOnly && !ownSetup ? { setupTemplates: templates } : {}),
      ...(modules ? { moduleCacheDir: modules } : {}),
      log: () => {},
    });
    writeReports(report, out);
    return { report, ...(defect ? { outcome: judgeDefect(defect, report, system.name) } : {}), durationMs: Date.now() - t0 };
  };

  const took = (ms: number) => `(${(ms / 1000).toFixed(1)} s)`;
  let results: Done[];
  try {
    // Clean runs (every suite of a system) take longest: they start first.
    const cleanFirst = [...work.keys()].sort((a, b) => Number(work[a]!.defect !== undefined) - Number(work[b]!.defect !== undefined));
    results = await runBounded(work, jobs, run, (done, job) => {
      const o = done.outcome;
      if (!o) {
        const r = done.report;
        log(`  clean ${job.system.name}: ${selectedVerdict(r)}${selectedVerdict(r) === 'GO' ? '' : ` (${r.gateReasons.join('; ')})`} ${took(done.durationMs)}`);
        return;
      }
      log(`  ${o.caught ? 'caught ' : 'MISSED '} ${`${o.system}:${o.id}`.padEnd(36)} ${o.caught ? `[${o.findings[0]?.code}] ${o.findings[0]?.title}` : o.why} ${took(done.durationMs)}`);
    }, cleanFirst);
  } finally {
    try {
      await templates.dispose();
      await database.stop();
    } finally {
      laneModules.forEach(removeRunFolder);
    }
  }
  const cleans = results.flatMap((d, i) => (d.outcome ? [] : [{ system: work[i]!.system.name, report: d.report, durationMs: d.durationMs }]));
  const outcomes = results.flatMap((d) => (d.outcome ? [{ ...d.outcome, durationMs: d.durationMs }] : []));
  const cleanGo = cleans.every((c) => selectedVerdict(c.report) === 'GO');
  const allCaught = outcomes.every((o) => o.caught);
  writeFileSync(
    join(reportsDir, '..', 'selftest.json'),
    `${JSON.stringify(
      {
        clean: cleanGo ? 'GO' : 'NO-GO',
        seed,
        jobs,
        durationMs: Date.now() - started,
        systems: cleans.map((c) => ({ name: c.system, clean: selectedVerdict(c.report), cleanReasons: c.report.gateReasons, findings: c.report.findings.length, identities: c.report.identities.made, durationMs: c.durationMs })),
        defects: outcomes,
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(join(reportsDir, '..', 'selftest.md'), detectionMatrix(cleans, outcomes));
  log('');
  const systemsWord = cleans.map((c) => `${c.system} ${selectedVerdict(c.report)}`).join(', ');
  log(
    cleanGo && allCaught
      ? `selftest passed: clean ${systemsWord}, ${outcomes.length}/${outcomes.length} defects caught`
      : `selftest FAILED: clean ${systemsWord}, ${outcomes.filter((o) => o.caught).length}/${outcomes.length} defects caught`,
  );
  log(`${work.length} runs, ${Math.min(jobs, work.length)} at a time, in ${((Date.now() - started) / 1000).toFixed(0)} s; the setup of ${templates.built} migrated template(s) ran once each`);
  log(`report: ${join(reportsDir, '..', 'selftest.json')}`);
  return cleanGo && allCaught ? EXIT.go : EXIT.noGo;
}
