import { gateLabel } from '../report/gate.ts';
import type { RunReport } from '../report/model.ts';

/** The console view of a run: suites, findings by title, the gate and where the reports are. */
export function printSummary(r: RunReport, files: string[], log: (line: string) => void): void {
  log('');
  log(`${'suite'.padEnd(20)} ${'status'.padEnd(15)} ${'checks'.padStart(6)} ${'failed'.padStart(6)}  note`);
  for (const s of r.suites) {
    log(`${s.id.padEnd(20)} ${s.status.padEnd(15)} ${String(s.tests).padStart(6)} ${String(s.failed).padStart(6)}  ${s.reason ?? ''}`);
  }
  if (r.findings.length > 0) {
    log('');
    log(`findings (${r.findings.length}):`);
    for (const f of r.findings.slice(0, 30)) log(`  [${f.code}] ${f.suite}: ${f.title}`);
    if (r.findings.length > 30) log(`  ... and ${r.findings.length - 30} more in findings.md`);
  }
  for (const e of r.errors) log(`error: ${e.split('\n')[0]}`);
  for (const w of r.warnings) log(`warning: ${w}`);
  log('');
  log(`identities: ${r.identities.made} made${r.identities.throttled > 0 ? ` (${r.identities.throttled} sign-ups answered 429 and retried after their Retry-After)` : ''}`);
  log(`${gateLabel(r)}: ${r.gateReasons.join('; ')}`);
  log(`seed ${r.seed} · reports: ${files.join(', ')}`);
}
