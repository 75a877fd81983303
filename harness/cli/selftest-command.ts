import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadProfile } from '../profile/load.ts';
import { startDatabaseServer } from '../provision/database.ts';
import type { RunReport } from '../report/model.ts';
import { writeReports } from '../report/write.ts';
import { runVerify, type VerifyOptions } from '../run/verify.ts';
import { discoverSuites } from '../suites/registry.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { CI_ITERATIONS, parseIntOption, seedOption } from './options.ts';
import { EMBEDDED_CONFIG, PACKAGE_ROOT, VERSION } from './package-info.ts';

/** What the reference's defect catalog says about one defect (see reference/defects.ts). */
interface DefectSpec {
  id: string;
  promise: string;
  mistake: string;
  caughtBy: string[];
  findingCodes: string[];
}

export interface DefectOutcome {
  id: string;
  promise: string;
  expectedSuites: string[];
  failingSuites: string[];
  /** Every expected suite failed, with at least one of the defect's finding codes. */
  caught: boolean;
  /** The findings that prove it: code, title and the promise they name. */
  findings: { code: string; suite: string; title: string; promise: string }[];
  why?: string;
}

export const SELFTEST_USAGE = `shipgate selftest [--defect id ...] [--seed n] [--runs n] [--iterations n] [--reports dir]

Runs the suites against the reference system, clean and with each known defect switched on.
Exit 0 only if the clean system is GO and every defect is caught by the suite DEFECTS.md names.`;

function judge(defect: DefectSpec, report: RunReport): DefectOutcome {
  const failingSuites = report.suites.filter((s) => s.status === 'failed').map((s) => s.id);
  const proving = report.findings.filter((f) => defect.findingCodes.includes(f.code));
  const missingSuites = defect.caughtBy.filter((s) => !failingSuites.includes(s));
  const caught = missingSuites.length === 0 && proving.length > 0;
  const why = caught
    ? undefined
    : missingSuites.length > 0
      ? `suite(s) ${missingSuites.join(', ')} did not fail`
      : `no finding with code ${defect.findingCodes.join(' or ')} (got ${[...new Set(report.findings.map((f) => f.code))].join(', ') || 'none'})`;
  return {
    id: defect.id,
    promise: defect.promise,
    expectedSuites: defect.caughtBy,
    failingSuites,
    caught,
    findings: proving.slice(0, 3).map((f) => ({ code: f.code, suite: f.suite ?? '', title: f.title, promise: f.promise })),
    ...(why ? { why } : {}),
  };
}

function matrixMarkdown(clean: RunReport, outcomes: DefectOutcome[]): string {
  const lines = [
    `## shipgate selftest: ${clean.gate === 'GO' && outcomes.every((o) => o.caught) ? 'every defect caught' : 'NOT PROVEN'}`,
    '',
    `Clean reference: **${clean.gate}** (${clean.suites.filter((s) => s.status === 'passed').length} suites passed) · seed \`${clean.seed}\``,
    '',
    '| defect | broken promise | expected suites | failing suites | caught | finding |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const o of outcomes) {
    const f = o.findings[0];
    lines.push(
      `| ${o.id} | ${o.promise} | ${o.expectedSuites.join(', ')} | ${o.failingSuites.join(', ') || '—'} | ${o.caught ? '✅' : `❌ ${o.why ?? ''}`} | ${f ? `\`${f.code}\` ${f.title.replace(/\|/g, '\\|')}` : '—'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

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
  const { DEFECTS } = (await import(join(PACKAGE_ROOT, 'reference', 'defects.ts'))) as { DEFECTS: DefectSpec[] };
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
    const clean = await runVerify({ ...base, selected: cleanSuites, reportsDir: join(reportsDir, 'clean'), label: 'clean' });
    writeReports(clean, join(reportsDir, 'clean'));
    log(`  clean reference: ${clean.gate}${clean.gate === 'GO' ? '' : ` (${clean.gateReasons.join('; ')})`}`);

    const outcomes: DefectOutcome[] = [];
    for (const defect of defects) {
      const dir = join(reportsDir, defect.id);
      const report = await runVerify({ ...base, selected: defect.caughtBy, reportsDir: dir, label: defect.id, envOverrides: { REFERENCE_DEFECTS: defect.id } });
      writeReports(report, dir);
      const outcome = judge(defect, report);
      outcomes.push(outcome);
      log(`  ${outcome.caught ? 'caught ' : 'MISSED '} ${defect.id.padEnd(24)} ${outcome.caught ? `[${outcome.findings[0]?.code}] ${outcome.findings[0]?.title}` : outcome.why}`);
    }
    const allCaught = outcomes.every((o) => o.caught);
    writeFileSync(
      join(reportsDir, '..', 'selftest.json'),
      `${JSON.stringify({ clean: clean.gate, seed, cleanReasons: clean.gateReasons, defects: outcomes }, null, 2)}\n`,
    );
    writeFileSync(join(reportsDir, '..', 'selftest.md'), matrixMarkdown(clean, outcomes));
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
