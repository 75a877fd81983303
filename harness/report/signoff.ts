import { formatEvidence, type ReportSection } from '../findings/finding.ts';
import type { RunReport } from './model.ts';

/** The shape promised to pipelines: stable keys a gate or dashboard can read. */
export function toSignoffJson(r: RunReport): unknown {
  return {
    gate: r.gate,
    gateReasons: r.gateReasons,
    seed: r.seed,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    tool: r.tool,
    target: r.target,
    identities: r.identities,
    ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
    ...(r.unclassified ? { unclassified: r.unclassified.operations } : {}),
    suites: r.suites.map((s) => ({
      id: s.id,
      title: s.title,
      status: s.status,
      tests: s.tests,
      failed: s.failed,
      skipped: s.skipped,
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.sections.length > 0 ? { details: s.sections } : {}),
    })),
    findings: r.findings.map((f) => ({
      code: f.code,
      suite: f.suite,
      check: f.check,
      title: f.title,
      promise: f.promise,
      severity: f.severity,
      ...(f.expected ? { expected: f.expected } : {}),
      ...(f.actual ? { actual: f.actual } : {}),
      ...(f.seed !== undefined ? { seed: f.seed, replay: f.replay } : {}),
      ...(f.replayNote ? { replayNote: f.replayNote } : {}),
      ...(f.counterexample ? { counterexample: f.counterexample } : {}),
      ...(f.occurrences ? { occurrences: f.occurrences } : {}),
      evidence: f.evidence,
    })),
    skippedChecks: r.tests.filter((t) => t.status === 'skipped').map((t) => ({ suite: t.suite, check: t.fullName, reason: t.skipReason ?? '' })),
    errors: r.errors,
  };
}

/** A section as Markdown: its title, its text, its rows as a table. */
export function renderSection(section: ReportSection): string[] {
  const lines = [`**${section.title}**`];
  if (section.text) lines.push('', section.text);
  const rows = section.rows ?? [];
  if (rows.length > 0) {
    const columns = Object.keys(rows[0] as object);
    lines.push('', `| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`);
    for (const row of rows) lines.push(`| ${columns.map((c) => cell(String(row[c] ?? ''))).join(' | ')} |`);
  }
  return lines;
}

const STATUS_MARK: Record<string, string> = { passed: '✅ passed', failed: '❌ failed', 'not-applicable': '➖ not applicable', skipped: '⏭️ skipped' };
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown for a PR comment: the gate first, then suites, then each finding with its evidence. */
export function toSignoffMarkdown(r: RunReport): string {
  const lines: string[] = [];
  lines.push(`## shipgate: ${r.gate === 'GO' ? '🟢 GO' : '🔴 NO-GO'} for ${r.target.name} (${r.target.kind})`, '');
  for (const reason of r.gateReasons) lines.push(`- ${reason}`);
  for (const w of r.warnings) lines.push(`- ⚠️ ${w}`);
  lines.push('', `Seed \`${r.seed}\` · ${r.tests.length} checks · ${r.identities.made} identities · ${(r.durationMs / 1000).toFixed(1)} s · shipgate ${r.tool.version}`, '');
  lines.push('| suite | status | checks | failed | skipped | note |', '| --- | --- | ---: | ---: | ---: | --- |');
  for (const s of r.suites) {
    lines.push(`| ${s.id} | ${STATUS_MARK[s.status] ?? s.status} | ${s.tests} | ${s.failed} | ${s.skipped} | ${cell(s.reason ?? '')} |`);
  }
  for (const s of r.suites.filter((x) => x.sections.length > 0)) {
    lines.push('', `### ${s.title} (${s.id})`);
    for (const section of s.sections) lines.push('', ...renderSection(section));
  }
  if (r.findings.length > 0) {
    lines.push('', `### Findings (${r.findings.length})`);
    for (const f of r.findings) {
      lines.push('', `#### \`${f.code}\` ${f.title}${f.occurrences ? ` (×${f.occurrences} checks)` : ''}`, '', `- **promise:** ${f.promise}`, `- **severity:** ${f.severity} · **suite:** ${f.suite} · **check:** ${f.check}`);
      if (f.expected) lines.push(`- **expected:** ${f.expected}`);
      if (f.actual) lines.push(`- **actual:** ${f.actual}`);
      if (f.seed !== undefined) lines.push(`- **replay:** \`${f.replay ?? `--seed ${f.seed}`}\`${f.counterexample ? ` (case ${cell(f.counterexample)})` : ''}`);
      if (f.replayNote) lines.push(`- **replay note:** ${f.replayNote}`);
      if (f.evidence.length > 0) {
        lines.push('', '<details><summary>evidence</summary>', '', '```');
        for (const e of f.evidence.slice(0, 6)) lines.push(formatEvidence(e), '');
        lines.push('```', '</details>');
      }
    }
  }
  if (r.unclassified && r.unclassified.operations.length > 0) {
    lines.push('', `### Unclassified routes (${r.unclassified.operations.length})`, '', `Operations of \`${r.unclassified.source}\` that no resource, capability block, \`protectedRoutes\` or \`routes\` entry places${r.unclassified.fail ? ' (gate.unclassified: fail)' : ''}: secured ones still get the auth suite's token checks; nothing else checks them.`, '');
    for (const o of r.unclassified.operations) lines.push(`- \`${o.route}\` (${o.auth === 'required' ? 'secured' : o.auth === 'optional' ? 'optional auth' : 'no auth'})${o.summary ? `: ${cell(o.summary)}` : ''}`);
  }
  const skipped = r.tests.filter((t) => t.status === 'skipped');
  if (skipped.length > 0) {
    lines.push('', `### Checks not run (${skipped.length})`, '');
    for (const t of skipped) lines.push(`- ${t.suite} › ${t.fullName}: ${t.skipReason ?? 'skipped'}`);
  }
  if (r.errors.length > 0) {
    lines.push('', '### Errors outside any check', '');
    for (const e of r.errors) lines.push('```', e, '```');
  }
  return `${lines.join('\n')}\n`;
}
