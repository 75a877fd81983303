import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadProfile } from '../profile/load.ts';
import { startDatabaseServer } from '../provision/database.ts';
import { writeReports } from '../report/write.ts';
import { runVerify, type VerifyOptions } from '../run/verify.ts';
import { discoverSuites } from '../suites/registry.ts';
import { loadDefectCatalog } from '../selftest/catalog.ts';
import { judgeDefect, type DefectOutcome } from '../selftest/judge.ts';
import { detectionMatrix } from '../selftest/matrix.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { CI_ITERATIONS, parseIntOption, seedOption } from './options.ts';
import { EMBEDDED_CONFIG, PACKAGE_ROOT, VERSION } from './package-info.ts';

export const SELFTEST_USAGE = `shipgate selftest [--defect id ...] [--seed n] [--runs n] [--iterations n] [--reports dir]

Runs the suites against the reference system, clean and with each known defect switched on,
and writes reports/selftest.{json,md} (the detection matrix) and reports/selftest/<defect>/.
  --defect   only these defects (repeatable); the clean run then covers their suites
  --seed     replay an earlier selftest's generated cases
  --runs     generated cases per property (default 5)
  --iterations  schedules per concurrency check (default: the CI depth)
  --reports  output folder (default ./reports)
Exit: 0 when the clean reference is GO and every defect is caught by the suites named for it,
1 otherwise, 2 on a usage error.`;

export async function selftestCommand(argv: string[], log: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      defect: { type: 'string', multiple: true },
      seed: { type: 'string' },
      runs: { type: 'string' },
      iterations: { type: 'string' },
      reports: { type: 'string' },
    },
    strict: true,
  });
  const DEFECTS = await loadDefectCatalog(PACKAGE_ROOT);
  const chosen = values.defect ?? [];
  const unknown = chosen.filter((id) => !DEFECTS.some((d) => d.id === id));
  if (unknown.length > 0) throw new UsageError(`unknown defect ${unknown.join(', ')}; known defects: ${DEFECTS.map((d) => d.id).join(', ')}`);
  const defects = chosen.length > 0 ? DEFECTS.filter((d) => chosen.includes(d.id)) : DEFECTS;
  const seed = seedOption(values.seed);
  const runs = parseIntOption('runs', values.runs, 1, 5);
  const iterations = parseIntOption('iterations', values.iterations, 1, CI_ITERATIONS);
  const reportsDir = join(values.reports ?? 'reports', 'selftest');
  const profile = await loadProfile(EMBEDDED_CONFIG);
  const suites = await discoverSuites(PACKAGE_ROOT);
  mkdirSync(reportsDir, { recursive: true });

  log(`shipgate selftest · ${defects.length} defect(s) · seed ${seed}`);
  const database = await startDatabaseServer(reportsDir);
  try {
    const base: Omit<VerifyOptions, 'selected' | 'reportsDir' | 'label'> = {
      root: PACKAGE_ROOT,
      configPath: EMBEDDED_CONFIG,
      profile,
      suites,
      seed,
      runs,
      iterations,
      version: VERSION,
      databaseServer: database,
      log: () => {},
    };
    // With --defect, the clean run covers the suites those defects are about; else every suite.
    const cleanSuites = chosen.length > 0 ? [...new Set(defects.flatMap((d) => d.caughtBy))] : [];
    // The clean baseline never inherits a defect switch from the caller's environment.
    const clean = await runVerify({ ...base, selected: cleanSuites, reportsDir: join(reportsDir, 'clean'), label: 'clean', envOverrides: { REFERENCE_DEFECTS: '' } });
    writeReports(clean, join(reportsDir, 'clean'));
    log(`  clean reference: ${clean.gate}${clean.gate === 'GO' ? '' : ` (${clean.gateReasons.join('; ')})`}`);

    const outcomes: DefectOutcome[] = [];
    for (const defect of defects) {
      const dir = join(reportsDir, defect.id);
      const report = await runVerify({ ...base, selected: defect.caughtBy, reportsDir: dir, label: defect.id, envOverrides: { REFERENCE_DEFECTS: defect.id } });
      writeReports(report, dir);
      const outcome = judgeDefect(defect, report);
      outcomes.push(outcome);
      log(`  ${outcome.caught ? 'caught ' : 'MISSED '} ${defect.id.padEnd(24)} ${outcome.caught ? `[${outcome.findings[0]?.code}] ${outcome.findings[0]?.title}` : outcome.why}`);
    }
    const allCaught = outcomes.every((o) => o.caught);
    writeFileSync(
      join(reportsDir, '..', 'selftest.json'),
      `${JSON.stringify({ clean: clean.gate, seed, cleanReasons: clean.gateReasons, defects: outcomes }, null, 2)}\n`,
    );
    writeFileSync(join(reportsDir, '..', 'selftest.md'), detectionMatrix(clean, outcomes));
    log('');
    log(
      clean.gate === 'GO' && allCaught
        ? `selftest passed: clean reference GO, ${outcomes.length}/${outcomes.length} defects caught`
        : `selftest FAILED: clean reference ${clean.gate}, ${outcomes.filter((o) => o.caught).length}/${outcomes.length} defects caught`,
    );
    log(`report: ${join(reportsDir, '..', 'selftest.json')}`);
    return clean.gate === 'GO' && allCaught ? EXIT.go : EXIT.noGo;
  } finally {
    await database.stop();
  }
}
