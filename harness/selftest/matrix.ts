import type { RunReport } from '../report/model.ts';
import { selectedVerdict } from '../report/gate.ts';
import type { DefectOutcome } from './judge.ts';

/** The detection matrix as Markdown: each embedded system's clean run, then one row per defect with the finding that caught it. */
export function detectionMatrix(cleans: { system: string; report: RunReport }[], outcomes: DefectOutcome[]): string {
  const proven = cleans.every((c) => selectedVerdict(c.report) === 'GO') && outcomes.every((o) => o.caught);
  const lines = [`## shipgate selftest: ${proven ? 'every defect caught' : 'NOT PROVEN'}`, ''];
  for (const { system, report } of cleans) {
    lines.push(`Clean ${system}: **${selectedVerdict(report)}** (${report.suites.filter((s) => s.status === 'passed').length} suites passed, ${report.findings.length} findings) · seed \`${report.seed}\``);
  }
  lines.push('', '| system | defect | broken promise | expected suites | failing suites | caught | finding |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const o of outcomes) {
    const f = o.findings[0];
    lines.push(
      `| ${o.system} | ${o.id} | ${o.promise} | ${o.expectedSuites.join(', ')} | ${o.failingSuites.join(', ') || '—'} | ${o.caught ? '✅' : `❌ ${o.why ?? ''}`} | ${f ? `\`${f.code}\` ${f.title.replace(/\|/g, '\\|')}` : '—'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
