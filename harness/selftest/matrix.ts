import type { RunReport } from '../report/model.ts';
import type { DefectOutcome } from './judge.ts';

/** The detection matrix as Markdown: one row per defect, with the finding that caught it. */
export function detectionMatrix(clean: RunReport, outcomes: DefectOutcome[]): string {
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
