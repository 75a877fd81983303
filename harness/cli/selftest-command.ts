import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadProfile } from '../profile/load.ts';
import { startDatabaseServer } from '../provision/database.ts';
import { writeReports } from '../report/write.ts';
import type { RunReport } from '../report/model.ts';
import { runVerify, type VerifyOptions } from '../run/verify.ts';
import { discoverSuites } from '../suites/registry.ts';
import { EMBEDDED_SYSTEMS, embeddedConfigPath, loadDefects, type EmbeddedSystem } from '../embedded/systems.ts';
import type { DefectSpec } from '../selftest/catalog.ts';
import { cleanVerdict, judgeDefect, type DefectOutcome } from '../selftest/judge.ts';
import { detectionMatrix } from '../selftest/matrix.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { CI_ITERATIONS, parseIntOption, seedOption } from './options.ts';
import { PACKAGE_ROOT, VERSION } from './package-info.ts';
import { reportsDirOf } from './verify-command.ts';

export const SELFTEST_USAGE = `shipgate selftest [--system name ...] [--defect id ...] [--seed n] [--runs n] [--iterations n] [--reports dir]

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
    },
    strict: true,
  });
  const narrowed = (values.defect ?? []).length > 0;
  const chosen = await choose(values.system ?? [], values.defect ?? []);
  const seed = seedOption(values.seed);
  const runs = parseIntOption('runs', values.runs, 1, 5);
  const iterations = parseIntOption('iterations', values.iterations, 1, CI_ITERATIONS);
  const reportsDir = join(values.reports ?? 'reports', 'selftest');
  const suites = (await discoverSuites(PACKAGE_ROOT)).filter((s) => s.runBy === 'verify');
  mkdirSync(reportsDir, { recursive: true });

  const total = chosen.reduce((n, c) => n + c.defects.length, 0);
  log(`shipgate selftest · ${chosen.map((c) => c.system.name).join(', ')} · ${total} defect(s) · seed ${seed}`);
  const database = await startDatabaseServer(reportsDir);
  const cleans: { system: string; report: RunReport }[] = [];
  const outcomes: DefectOutcome[] = [];
  try {
    for (const { system, defects } of chosen) {
      const configPath = embeddedConfigPath(PACKAGE_ROOT, system);
      const base: Omit<VerifyOptions, 'selected' | 'reportsDir' | 'label'> = {
        root: PACKAGE_ROOT,
        configPath,
        embedded: system.name,
        profile: await loadProfile(configPath),
        suites,
        seed,
        runs,
        iterations,
        version: VERSION,
        databaseServer: database,
        log: () => {},
      };
      const dir = join(reportsDir, system.name);
      // With --defect, the clean run covers the suites those defects are about; else every suite.
      const cleanSuites = narrowed ? [...new Set(defects.flatMap((d) => d.caughtBy))] : [];
      // The clean baseline never inherits a defect switch from the caller's environment.
      const clean = await runVerify({ ...base, selected: cleanSuites, reportsDir: join(dir, 'clean'), label: `${system.name}-clean`, envOverrides: { [system.defectsEnv]: '' } });
      writeReports(clean, join(dir, 'clean'));
      cleans.push({ system: system.name, report: clean });
      log(`  clean ${system.name}: ${cleanVerdict(clean)}${cleanVerdict(clean) === 'GO' ? '' : ` (${clean.gateReasons.join('; ')})`}`);
      for (const defect of defects) {
        const out = join(dir, defect.id);
        const report = await runVerify({ ...base, selected: defect.caughtBy, reportsDir: out, label: `${system.name}-${defect.id}`, envOverrides: { [system.defectsEnv]: defect.id } });
        writeReports(report, out);
        const outcome = judgeDefect(defect, report, system.name);
        outcomes.push(outcome);
        log(`  ${outcome.caught ? 'caught ' : 'MISSED '} ${`${system.name}:${defect.id}`.padEnd(36)} ${outcome.caught ? `[${outcome.findings[0]?.code}] ${outcome.findings[0]?.title}` : outcome.why}`);
      }
    }
  } finally {
    await database.stop();
  }
  const cleanGo = cleans.every((c) => cleanVerdict(c.report) === 'GO');
  const allCaught = outcomes.every((o) => o.caught);
  writeFileSync(
    join(reportsDir, '..', 'selftest.json'),
    `${JSON.stringify(
      {
        clean: cleanGo ? 'GO' : 'NO-GO',
        seed,
        systems: cleans.map((c) => ({ name: c.system, clean: cleanVerdict(c.report), cleanReasons: c.report.gateReasons, findings: c.report.findings.length, identities: c.report.identities.made })),
        defects: outcomes,
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(join(reportsDir, '..', 'selftest.md'), detectionMatrix(cleans, outcomes));
  log('');
  const systemsWord = cleans.map((c) => `${c.system} ${cleanVerdict(c.report)}`).join(', ');
  log(
    cleanGo && allCaught
      ? `selftest passed: clean ${systemsWord}, ${outcomes.length}/${outcomes.length} defects caught`
      : `selftest FAILED: clean ${systemsWord}, ${outcomes.filter((o) => o.caught).length}/${outcomes.length} defects caught`,
  );
  log(`report: ${join(reportsDir, '..', 'selftest.json')}`);
  return cleanGo && allCaught ? EXIT.go : EXIT.noGo;
}
