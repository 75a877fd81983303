import { gateLabel } from '../report/gate.ts';
import type { RunReport } from '../report/model.ts';

/** `12.3 s`, or `—` for a suite that did not run. */
export function seconds(ms: number | undefined): string {
  return ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`;
}

/** The console view of a run: suites with their time, findings by title, where the time went, the gate and where the reports are. */
export function printSummary(r: RunReport, files: string[], log: (line: string) => void, o: { timings?: boolean } = {}): void {
  log('');
  log(`${'suite'.padEnd(20)} ${'status'.padEnd(15)} ${'checks'.padStart(6)} ${'failed'.padStart(6)} ${'time'.padStart(8)}  note`);
  for (const s of r.suites) {
    const ran = s.status === 'passed' || s.status === 'failed';
    log(`${s.id.padEnd(20)} ${s.status.padEnd(15)} ${String(s.tests).padStart(6)} ${String(s.failed).padStart(6)} ${(ran ? seconds(s.durationMs) : '').padStart(8)}  ${s.reason ?? ''}`);
  }
  // Key figures (load throughput and latency, search quality) on the console too, so a run by hand shows its numbers.
  const figures = r.suites.flatMap((s) => s.sections.filter((x) => x.metrics && Object.keys(x.metrics).length > 0).map((x) => ({ suite: s.id, title: x.title, metrics: x.metrics! })));
  if (figures.length > 0) {
    log('');
    const round = (v: number) => (Number.isInteger(v) ? v : Number(v.toPrecision(4)));
    for (const f of figures) log(`${f.suite} · ${f.title.split(':')[0]}: ${Object.entries(f.metrics).map(([k, v]) => `${k} ${round(v)}`).join(' · ')}`);
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
  if (r.timings) {
    const { startup, slowest } = r.timings;
    if (slowest.length > 0) {
      log('slowest checks:');
      for (const c of slowest) log(`  ${(c.ms < 1000 ? `${c.ms} ms` : seconds(c.ms)).padStart(8)}  ${c.suite} › ${c.check}`);
    }
    const first = startup.firstCheckMs !== undefined ? `first check after ${seconds(startup.firstCheckMs)}` : 'no check ran';
    const sc = r.timings.schedule;
    // Worth saying only when more than one suite ran: how they shared the target.
    const several = r.suites.filter((s) => s.status === 'passed' || s.status === 'failed').length > 1;
    const shape = sc && several && sc.sideBySide > 1 ? ` (suites side by side, ${sc.sideBySide} files at a time${sc.alone.length > 0 ? `; ${sc.alone.map((a) => a.suite).join(', ')} alone` : ''})` : '';
    log(`time: ${seconds(r.durationMs)} in the run${shape}; ${first}${startup.from === 'process' ? ' (from the process start)' : ''}`);
    if (o.timings) {
      log('start-up:');
      for (const p of startup.phases) log(`  ${`${p.ms} ms`.padStart(9)}  ${p.phase}`);
    }
  }
  log(`identities: ${r.identities.made} made${r.identities.throttled > 0 ? ` (${r.identities.throttled} sign-ups answered 429 and retried after their Retry-After)` : ''}`);
  log(`${gateLabel(r)}: ${r.gateReasons.join('; ')}`);
  log(`seed ${r.seed} · reports: ${files.join(', ')}`);
}
