import type { RunReport } from './model.ts';

/** The run as a CTRF document (https://ctrf.io): one entry per check, findings under `extra`. */
export function toCtrf(r: RunReport): unknown {
  const count = (s: string) => r.tests.filter((t) => t.status === s).length;
  return {
    reportFormat: 'CTRF',
    specVersion: '0.0.0',
    timestamp: r.finishedAt,
    generatedBy: `shipgate ${r.tool.version}`,
    results: {
      tool: { name: 'shipgate', version: r.tool.version },
      summary: {
        tests: r.tests.length,
        passed: count('passed'),
        failed: count('failed'),
        skipped: count('skipped'),
        pending: 0,
        other: 0,
        suites: r.suites.length,
        start: Date.parse(r.startedAt),
        stop: Date.parse(r.finishedAt),
        duration: r.durationMs,
      },
      tests: r.tests.map((t) => ({
        name: t.fullName,
        status: t.status,
        duration: t.durationMs,
        suite: [t.suite],
        filePath: t.file,
        ...(t.message ? { message: t.message } : {}),
        ...(t.skipReason ? { message: t.skipReason } : {}),
        ...(t.findings.length > 0 ? { extra: { findings: t.findings.map((f) => ({ code: f.code, title: f.title, severity: f.severity })) } } : {}),
      })),
      environment: { appName: r.target.name, testEnvironment: r.target.kind },
      extra: {
        gate: r.gate,
        gateReasons: r.gateReasons,
        seed: r.seed,
        suites: r.suites,
        ...(r.timings ? { timings: r.timings } : {}),
      },
    },
  };
}
