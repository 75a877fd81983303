import { formatEvidence, type Finding, type ReportSection } from '../findings/finding.ts';
import { gateLabel } from './gate.ts';
import type { RunReport } from './model.ts';

/** The shape promised to pipelines: stable keys a gate or dashboard can read. */
export function toSignoffJson(r: RunReport): unknown {
  return {
    gate: r.gate,
    gateReasons: r.gateReasons,
    ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
    narrowed: r.narrowed !== undefined,
    ...(r.narrowed
      ? { selected: r.narrowed.selected, requiredNotRun: r.narrowed.requiredNotRun, selectedVerdict: r.narrowed.selectedVerdict }
      : {}),
    seed: r.seed,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    tool: r.tool,
    target: r.target,
    identities: r.identities,
    ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
    ...(r.unclassified ? { unclassified: r.unclassified.operations } : {}),
    ...(r.timings ? { timings: r.timings } : {}),
    suites: r.suites.map((s) => ({
      id: s.id,
      title: s.title,
      status: s.status,
      tests: s.tests,
      failed: s.failed,
      skipped: s.skipped,
      durationMs: s.durationMs,
      ...(s.loadMs !== undefined ? { loadMs: s.loadMs } : {}),
      ...(s.checksMs !== undefined ? { checksMs: s.checksMs } : {}),
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

/** A chart with nothing else to say is drawn in signoff.html only. */
const shownInMarkdown = (s: ReportSection) => !(s.histogram && !s.text && !s.rows?.length);

/** A section as Markdown: its title, its text, its rows as a table (the first `maxRows` of them). */
export function renderSection(section: ReportSection, maxRows = Infinity): string[] {
  const lines = [`**${section.title}**`];
  if (section.text) lines.push('', section.text);
  const rows = section.rows ?? [];
  if (rows.length > 0) {
    const columns = Object.keys(rows[0] as object);
    lines.push('', `| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`);
    for (const row of rows.slice(0, maxRows)) lines.push(`| ${columns.map((c) => cell(String(row[c] ?? ''))).join(' | ')} |`);
    if (rows.length > maxRows) lines.push('', `(${rows.length - maxRows} more rows in ${FINDINGS_FILE})`);
  }
  return lines;
}

/** The full evidence, linked from the sign-off: every finding, every measurement, every check not run. */
export const FINDINGS_FILE = 'findings.md';
/** GitHub refuses a comment over 65,536 characters; the sign-off stays well under, whatever happens. */
export const SIGNOFF_LIMIT = 60_000;

const STATUS_MARK: Record<string, string> = { passed: '✅ passed', failed: '❌ failed', 'not-applicable': '➖ not applicable', skipped: '⏭️ skipped' };
const GATE_MARK: Record<RunReport['gate'], string> = { GO: '🟢', 'NO-GO': '🔴', ERROR: '⚠️' };
const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** `text` cut to about `max` characters (at a line end when one is near), saying how much was left out; never cut for less than the note would take. */
export function clip(text: string, max: number, where = FINDINGS_FILE): string {
  if (text.length <= max + 40) return text;
  const cut = text.lastIndexOf('\n', max);
  const at = cut > max * 0.6 ? cut : max;
  return `${text.slice(0, at)}… (${text.length - at} more characters in ${where})`;
}

/** A code fence longer than any run of backticks inside `text`, so evidence cannot close it. */
function fenced(text: string): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [fence, text, fence];
}

function heading(r: RunReport): string[] {
  return [`## shipgate: ${GATE_MARK[r.gate]} ${gateLabel(r)} for ${r.target.name} (${r.target.kind})`, ''];
}

function statsLine(r: RunReport): string {
  return `Seed \`${r.seed}\` · ${r.tests.length} checks · ${r.identities.made} identities · ${(r.durationMs / 1000).toFixed(1)} s · shipgate ${r.tool.version}`;
}

function suiteTable(r: RunReport, noteMax: number): string[] {
  const lines = ['| suite | status | checks | failed | skipped | time | note |', '| --- | --- | ---: | ---: | ---: | ---: | --- |'];
  for (const s of r.suites) {
    const ran = s.status === 'passed' || s.status === 'failed';
    lines.push(`| ${s.id} | ${STATUS_MARK[s.status] ?? s.status} | ${s.tests} | ${s.failed} | ${s.skipped} | ${ran ? secs(s.durationMs) : ''} | ${cell(clip(s.reason ?? '', noteMax))} |`);
  }
  return lines;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Which suites shared the target (their times overlap) and which had it alone, and why. */
function scheduleLines(r: RunReport): string[] {
  const sc = r.timings?.schedule;
  if (!sc) return [];
  const lines = sc.sideBySide > 0 ? [`Suites ran side by side, ${sc.sideBySide} file(s) at a time, so their wall times overlap${sc.alone.length > 0 ? '; these had the target alone, after them:' : '.'}`] : [];
  for (const a of sc.alone) lines.push(`- ${a.suite}: ${cell(a.why)}`);
  return lines.length > 0 ? ['', ...lines] : [];
}

/** Where the run's time went: each suite that ran, the slowest checks, and the start-up phases (a few dozen lines at most). */
function timeSection(r: RunReport): string[] {
  const ran = r.suites.filter((s) => s.status === 'passed' || s.status === 'failed');
  if (!r.timings && ran.length === 0) return [];
  const lines = ['', '### Where the time went', ''];
  if (ran.length > 0) {
    lines.push(
      'Per suite: wall time its files ran (each from queued to done, summed), of which loading its files (imports, profile, top-level set-up) and the time its checks ran (checks that ran side by side counted once), as vitest measured them.',
      ...scheduleLines(r),
      '',
      '| suite | wall | loading | checks |',
      '| --- | ---: | ---: | ---: |',
    );
    for (const s of [...ran].sort((a, b) => b.durationMs - a.durationMs)) {
      lines.push(`| ${s.id} | ${secs(s.durationMs)} | ${s.loadMs !== undefined ? secs(s.loadMs) : '—'} | ${s.checksMs !== undefined ? secs(s.checksMs) : '—'} |`);
    }
  }
  if (r.timings && r.timings.slowest.length > 0) {
    lines.push('', '| slowest checks | suite | time |', '| --- | --- | ---: |');
    for (const c of r.timings.slowest) lines.push(`| ${cell(clip(c.check, 200))} | ${c.suite} | ${secs(c.ms)} |`);
  }
  if (r.timings) {
    const st = r.timings.startup;
    const first = st.firstCheckMs !== undefined ? `the first check began ${secs(st.firstCheckMs)} after the ${st.from === 'process' ? 'process' : 'run'} started` : 'no check ran';
    lines.push('', `<details><summary>start-up: ${first}</summary>`, '', '| phase | ms |', '| --- | ---: |');
    for (const p of st.phases) lines.push(`| ${cell(p.phase)} | ${p.ms} |`);
    lines.push('', '</details>');
  }
  return lines;
}

/** Findings grouped by code, the most severe first: each code is summarised once. */
function byCode(findings: Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.code, [...(groups.get(f.code) ?? []), f]);
  return [...groups.values()].sort((a, b) => (SEVERITY_RANK[a[0]!.severity] ?? 9) - (SEVERITY_RANK[b[0]!.severity] ?? 9));
}

const countOf = (group: Finding[]) => group.reduce((n, f) => n + (f.occurrences ?? 1), 0);

/**
 * How much of everything the sign-off shows; smaller budgets are tried until it fits. What is
 * not a finding (notes, measurements, checks not run, errors) shrinks first, so each code keeps
 * its first evidence as long as anything can.
 */
interface Budget {
  reasons: number;
  reasonChars: number;
  noteChars: number;
  /** Title, check, expected, actual of a finding. */
  fieldChars: number;
  evidenceChars: number;
  /** Other titles of the same code. */
  titles: number;
  /** Rows per measurement table (0: measurements only in findings.md). */
  sectionRows: number;
  sectionText: number;
  skippedNames: number;
  skippedReasonChars: number;
  errorsShown: number;
  errorChars: number;
}

const BUDGETS: Budget[] = [
  { reasons: 30, reasonChars: 400, noteChars: 200, fieldChars: 400, evidenceChars: 2_500, titles: 3, sectionRows: 30, sectionText: 1_500, skippedNames: 5, skippedReasonChars: 300, errorsShown: 5, errorChars: 1_500 },
  { reasons: 20, reasonChars: 300, noteChars: 150, fieldChars: 300, evidenceChars: 1_500, titles: 2, sectionRows: 12, sectionText: 800, skippedNames: 2, skippedReasonChars: 200, errorsShown: 3, errorChars: 800 },
  { reasons: 15, reasonChars: 200, noteChars: 100, fieldChars: 200, evidenceChars: 900, titles: 1, sectionRows: 5, sectionText: 300, skippedNames: 0, skippedReasonChars: 120, errorsShown: 2, errorChars: 400 },
  { reasons: 10, reasonChars: 160, noteChars: 80, fieldChars: 160, evidenceChars: 500, titles: 0, sectionRows: 0, sectionText: 0, skippedNames: 0, skippedReasonChars: 80, errorsShown: 1, errorChars: 300 },
  { reasons: 8, reasonChars: 140, noteChars: 60, fieldChars: 140, evidenceChars: 250, titles: 0, sectionRows: 0, sectionText: 0, skippedNames: 0, skippedReasonChars: 60, errorsShown: 0, errorChars: 0 },
  { reasons: 6, reasonChars: 120, noteChars: 40, fieldChars: 120, evidenceChars: 0, titles: 0, sectionRows: 0, sectionText: 0, skippedNames: 0, skippedReasonChars: 60, errorsShown: 0, errorChars: 0 },
];

/**
 * The part every finding's replay command shares (variables, config, reports, seed, runs,
 * iterations: the run's), so the sign-off prints it once and each finding only what it adds.
 */
function replayBase(findings: Finding[]): string | undefined {
  const replays = findings.flatMap((f) => (f.replay ? [f.replay] : []));
  const first = replays[0];
  const cut = first?.indexOf(' --suite ') ?? -1;
  if (!first || replays.length < 2 || cut < 0) return undefined;
  const base = first.slice(0, cut);
  return replays.every((r) => r.startsWith(`${base} `)) ? base : undefined;
}

function findingSummary(group: Finding[], b: Budget, base?: string): string[] {
  const f = group[0]!;
  const suites = [...new Set(group.map((x) => x.suite).filter(Boolean))].join(', ');
  const lines = ['', `#### \`${f.code}\` ×${countOf(group)} · ${f.severity} · ${suites}`, '', `- **first:** ${cell(clip(f.title, b.fieldChars))}`, `- **promise:** ${cell(clip(f.promise, 300))}`];
  if (f.check) lines.push(`- **check:** ${cell(clip(f.check, b.fieldChars))}`);
  if (f.expected) lines.push(`- **expected:** ${cell(clip(f.expected, b.fieldChars))}`);
  if (f.actual) lines.push(`- **actual:** ${cell(clip(f.actual, b.fieldChars))}`);
  // A replay command that is cut replays nothing: it is shown whole (it is a command line, not evidence).
  const replay = f.replay && base && f.replay.startsWith(`${base} `) ? `the run's replay (above) with \`${f.replay.slice(base.length + 1)}\`` : `\`${clip(f.replay ?? `--seed ${f.seed}`, 4_000)}\``;
  if (f.seed !== undefined) lines.push(`- **replay:** ${replay}${f.counterexample ? ` (case ${cell(clip(f.counterexample, b.fieldChars))})` : ''}`);
  for (const other of group.slice(1, 1 + b.titles)) lines.push(`- **also:** ${cell(clip(other.title, b.fieldChars))}`);
  if (group.length > 1 + b.titles) lines.push(`- …and ${group.length - 1 - b.titles} more in ${FINDINGS_FILE}`);
  if (b.evidenceChars > 0 && f.evidence.length > 0) {
    const text = clip(f.evidence.map(formatEvidence).join('\n\n'), b.evidenceChars);
    lines.push('', '<details><summary>first evidence</summary>', '', ...fenced(text), '</details>');
  }
  return lines;
}

function skippedSummary(r: RunReport, b: Budget): string[] {
  const skipped = r.tests.filter((t) => t.status === 'skipped');
  if (skipped.length === 0) return [];
  const byReason = new Map<string, typeof skipped>();
  for (const t of skipped) byReason.set(t.skipReason ?? 'skipped', [...(byReason.get(t.skipReason ?? 'skipped') ?? []), t]);
  const lines = ['', `### Checks not run (${skipped.length})`, ''];
  for (const [reason, tests] of byReason) {
    const names = tests.slice(0, b.skippedNames).map((t) => `${t.suite} › ${t.fullName}`);
    const more = tests.length - names.length;
    lines.push(`- ${tests.length} × ${cell(clip(reason, b.skippedReasonChars))}${names.length > 0 ? `: ${cell(clip(names.join('; '), 600))}` : ''}${more > 0 && names.length > 0 ? ` and ${more} more` : ''}`);
  }
  return lines;
}

/** The operations of the profile's OpenAPI document nothing places, the first `max` of them. */
function unclassifiedSection(r: RunReport, max: number): string[] {
  const u = r.unclassified;
  if (!u || u.operations.length === 0) return [];
  const lines = ['', `### Unclassified routes (${u.operations.length})`, '', `Operations of \`${u.source}\` that no resource, capability block, \`protectedRoutes\` or \`routes\` entry places${u.fail ? ' (gate.unclassified: fail)' : ''}: secured ones still get the auth suite's token checks; nothing else checks them.`, ''];
  for (const o of u.operations.slice(0, max)) lines.push(`- \`${o.route}\` (${o.auth === 'required' ? 'secured' : o.auth === 'optional' ? 'optional auth' : 'no auth'})${o.summary ? `: ${cell(clip(o.summary, 200))}` : ''}`);
  if (u.operations.length > max) lines.push(`- …and ${u.operations.length - max} more in ${FINDINGS_FILE}`);
  return lines;
}

function render(r: RunReport, b: Budget): string {
  const lines = heading(r);
  for (const reason of r.gateReasons.slice(0, b.reasons)) lines.push(`- ${cell(clip(reason, b.reasonChars))}`);
  if (r.gateReasons.length > b.reasons) lines.push(`- …and ${r.gateReasons.length - b.reasons} more reasons in ${FINDINGS_FILE}`);
  for (const w of r.warnings) lines.push(`- ⚠️ ${cell(clip(w, b.reasonChars))}`);
  if (r.gate === 'ERROR') {
    lines.push('', `No suite ran: the run stopped before it could verify anything${r.exitCode !== undefined ? ` (exit ${r.exitCode})` : ''}.`);
    if (r.errors[0]) lines.push('', ...fenced(clip(r.errors[0], 4_000)));
    return `${lines.join('\n')}\n`;
  }
  lines.push('', statsLine(r), '');
  if (r.narrowed) {
    lines.push(`Narrowed with \`--suite\` to ${r.narrowed.selected.join(', ')}: ${r.narrowed.notSelected.length} other suites did not run${r.narrowed.requiredNotRun.length > 0 ? `, among them required ${r.narrowed.requiredNotRun.join(', ')}` : ''}.`, '');
  }
  lines.push(...suiteTable(r, b.noteChars));
  if (r.findings.length > 0) {
    const groups = byCode(r.findings);
    const base = replayBase(r.findings);
    lines.push('', `### Findings: ${r.findings.length} (${groups.length} codes), each code once; the full evidence of every finding is in [${FINDINGS_FILE}](${FINDINGS_FILE})`);
    if (base) lines.push('', `Replay of this run (each finding adds its own \`--suite\`): \`${base}\``);
    for (const group of groups) lines.push(...findingSummary(group, b, base));
  }
  const measured = r.suites.filter((x) => x.sections.length > 0);
  if (measured.length > 0 && b.sectionRows > 0) {
    for (const s of measured) {
      lines.push('', `### ${s.title} (${s.id})`);
      for (const section of s.sections.filter(shownInMarkdown)) lines.push('', ...renderSection({ ...section, ...(section.text ? { text: clip(section.text, b.sectionText) } : {}) }, b.sectionRows));
    }
  } else if (measured.length > 0) {
    lines.push('', `Measurements of ${measured.map((s) => s.id).join(', ')}: in [${FINDINGS_FILE}](${FINDINGS_FILE}).`);
  }
  lines.push(...timeSection(r));
  lines.push(...unclassifiedSection(r, b.sectionRows > 0 ? 30 : 5));
  lines.push(...skippedSummary(r, b));
  if (r.errors.length > 0) {
    lines.push('', `### Errors outside any check (${r.errors.length})`, '');
    for (const e of r.errors.slice(0, b.errorsShown)) lines.push(...fenced(clip(e, b.errorChars)));
    if (r.errors.length > b.errorsShown) lines.push(`${b.errorsShown > 0 ? '…and ' : ''}${r.errors.length - b.errorsShown} ${b.errorsShown > 0 ? 'more ' : ''}in ${FINDINGS_FILE}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Markdown for a PR comment or a release ticket, under `SIGNOFF_LIMIT` characters whatever the
 * run found: the gate and why first, then the suites, then each finding code once (its count and
 * first evidence), measurements and the checks not run. The full evidence is in `findings.md`.
 */
export function toSignoffMarkdown(r: RunReport): string {
  for (const budget of BUDGETS) {
    const text = render(r, budget);
    if (text.length < SIGNOFF_LIMIT) return text;
  }
  // Even the smallest budget is too long (thousands of codes): cut it, and say so.
  const text = render(r, BUDGETS.at(-1)!);
  const note = `\n\n…the sign-off stops here to fit where it is posted; everything is in [${FINDINGS_FILE}](${FINDINGS_FILE}).\n`;
  const cut = text.lastIndexOf('\n', SIGNOFF_LIMIT - note.length - 1);
  return `${text.slice(0, cut)}${note}`;
}

/** Everything, with no limit: each finding with all its evidence, every measurement, every check not run. */
export function toFindingsMarkdown(r: RunReport): string {
  const lines = heading(r);
  lines.push(`The full evidence of this run (its summary is signoff.md).`, '', statsLine(r));
  for (const reason of r.gateReasons) lines.push(`- ${reason}`);
  if (r.findings.length > 0) {
    lines.push('', `### Findings (${r.findings.length})`);
    for (const f of r.findings) {
      lines.push('', `#### \`${f.code}\` ${f.title}${f.occurrences ? ` (×${f.occurrences} checks)` : ''}`, '', `- **promise:** ${f.promise}`, `- **severity:** ${f.severity} · **suite:** ${f.suite} · **check:** ${f.check}`);
      if (f.expected) lines.push(`- **expected:** ${f.expected}`);
      if (f.actual) lines.push(`- **actual:** ${f.actual}`);
      if (f.seed !== undefined) lines.push(`- **replay:** \`${f.replay ?? `--seed ${f.seed}`}\`${f.counterexample ? ` (case ${cell(f.counterexample)})` : ''}`);
      if (f.replayNote) lines.push(`- **replay note:** ${f.replayNote}`);
      if (f.evidence.length > 0) lines.push('', ...fenced(f.evidence.map(formatEvidence).join('\n\n')));
    }
  }
  for (const s of r.suites.filter((x) => x.sections.length > 0)) {
    lines.push('', `### ${s.title} (${s.id})`);
    for (const section of s.sections.filter(shownInMarkdown)) lines.push('', ...renderSection(section));
  }
  lines.push(...timeSection(r));
  lines.push(...unclassifiedSection(r, Infinity));
  const skipped = r.tests.filter((t) => t.status === 'skipped');
  if (skipped.length > 0) {
    lines.push('', `### Checks not run (${skipped.length})`, '');
    for (const t of skipped) lines.push(`- ${t.suite} › ${t.fullName}: ${t.skipReason ?? 'skipped'}`);
  }
  if (r.errors.length > 0) {
    lines.push('', '### Errors outside any check', '');
    for (const e of r.errors) lines.push(...fenced(e));
  }
  return `${lines.join('\n')}\n`;
}
