/**
 * signoff.html: the sign-off a release manager reads and signs, in one self-contained file (inline
 * CSS and SVG, no script, no external asset): the gate, each suite with its status and time, the
 * findings with their evidence, search metrics, load latency charts, the selftest matrix when the
 * reports folder has one, and the trend over the last runs kept in reports/history/.
 */
import { formatEvidence, type ReportSection } from '../findings/finding.ts';
import { escapeHtml as esc, histogramSvg, trendSvg } from './charts.ts';
import type { HistoryEntry } from './history.ts';
import type { RunReport } from './model.ts';

/** What `selftest` writes to selftest.json, as far as the sign-off shows it. */
export interface SelftestSummary {
  clean: string;
  seed: number;
  systems: { name: string; clean: string; findings: number }[];
  defects: { id: string; system: string; promise: string; expectedSuites: string[]; failingSuites: string[]; caught: boolean; why?: string; findings: { code: string; title: string }[] }[];
}

export interface HtmlInput {
  /** Earlier runs, oldest first (this run is not among them). */
  history: HistoryEntry[];
  selftest?: SelftestSummary;
  /** The shards this report was merged from, when it was. */
  shards?: { dir: string; suites: string[]; gate: string }[];
}

/** The sections of the page, by id: a test opens the page in a browser and finds each. */
export const HTML_SECTIONS = ['gate', 'suites', 'findings', 'search', 'load', 'measurements', 'selftest', 'trend', 'not-run'] as const;

const STATUS: Record<string, string> = { passed: 'passed', failed: 'failed', 'not-applicable': 'not applicable', skipped: 'skipped' };
const seconds = (ms: number) => `${(ms / 1_000).toFixed(1)} s`;

function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]!);
  const head = columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = rows.map((row) => `<tr>${columns.map((c) => `<td>${esc(String(row[c] ?? ''))}</td>`).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function section(s: ReportSection): string {
  const parts = [`<h4>${esc(s.title)}</h4>`];
  if (s.text) parts.push(`<pre class="text">${esc(s.text)}</pre>`);
  if (s.histogram) parts.push(histogramSvg(s.histogram, s.title));
  else if (s.rows && s.rows.length > 0) parts.push(table(s.rows));
  return `<div class="measure">${parts.join('\n')}</div>`;
}

function gateBlock(r: RunReport): string {
  const narrowed = (r as { narrowed?: { selected: string[]; requiredNotRun: string[] } }).narrowed;
  const cls = r.gate === 'GO' ? 'go' : r.gate === 'NO-GO' ? 'nogo' : 'error';
  const count = (s: string) => r.tests.filter((t) => t.status === s).length;
  return `<section id="gate" class="gate ${cls}">
<h1><span class="verdict">${esc(r.gate)}</span> ${esc(r.target.name)} <small>(${esc(r.target.kind)})</small></h1>
${narrowed ? `<p class="narrowed">Narrowed to ${esc(narrowed.selected.join(', '))}${narrowed.requiredNotRun.length > 0 ? `; required, not run: ${esc(narrowed.requiredNotRun.join(', '))}` : ''}</p>` : ''}
<ul class="reasons">${r.gateReasons.map((g) => `<li>${esc(g)}</li>`).join('')}${r.warnings.map((w) => `<li class="warning">⚠ ${esc(w)}</li>`).join('')}</ul>
<p class="facts">${count('passed')} checks passed · ${count('failed')} failed · ${count('skipped')} not run · ${r.findings.length} findings · ${r.identities.made} identities · ${seconds(r.durationMs)} · seed <code>${r.seed}</code> · started ${esc(r.startedAt)} · shipgate ${esc(r.tool.version)}</p>
<p class="facts">${r.target.baseUrls.length > 0 ? `target ${esc(r.target.baseUrls.join(', '))}` : ''}${r.target.launched ? ' (launched by shipgate)' : ''}${r.target.database ? ` · database ${esc(r.target.database)}` : ''}</p>
</section>`;
}

function suitesBlock(r: RunReport, shards?: HtmlInput['shards']): string {
  const rows = r.suites
    .map((s) => `<tr class="${s.status}"><td>${esc(s.id)}</td><td><span class="status ${s.status}">${esc(STATUS[s.status] ?? s.status)}</span></td><td class="n">${s.tests}</td><td class="n">${s.failed}</td><td class="n">${s.skipped}</td><td class="n">${seconds(s.durationMs)}</td><td>${esc(s.reason ?? '')}</td></tr>`)
    .join('\n');
  const merged = shards
    ? `<p>Merged from ${shards.length} shards: ${shards.map((s) => `<code>${esc(s.dir)}</code> (${esc(s.suites.join(', ') || 'nothing ran')}: ${esc(s.gate)})`).join('; ')}.</p>`
    : '';
  return `<section id="suites"><h2>Suites</h2>${merged}<div class="scroll"><table><thead><tr><th>suite</th><th>status</th><th>checks</th><th>failed</th><th>skipped</th><th>time</th><th>note</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

function findingsBlock(r: RunReport): string {
  if (r.findings.length === 0) return `<section id="findings"><h2>Findings</h2><p class="none">No findings: no promise was seen broken.</p></section>`;
  const items = r.findings.map((f) => {
    const facts = [
      ['promise', f.promise],
      ['severity', f.severity],
      ['suite › check', `${f.suite ?? ''} › ${f.check ?? ''}`],
      ...(f.expected ? [['expected', f.expected]] : []),
      ...(f.actual ? [['actual', f.actual]] : []),
      ...(f.seed !== undefined ? [['replay', f.replay ?? `--seed ${f.seed}`]] : []),
      ...(f.replayNote ? [['replay note', f.replayNote]] : []),
      ...(f.counterexample ? [['generated case', f.counterexample]] : []),
    ];
    const evidence = f.evidence.slice(0, 6).map((e) => `<pre>${esc(formatEvidence(e))}</pre>`).join('\n');
    const more = f.evidence.length > 6 ? `<p>${f.evidence.length - 6} more pieces of evidence in findings.md.</p>` : '';
    return `<article class="finding ${f.severity}"><h3><code>${esc(f.code)}</code> ${esc(f.title)}${f.occurrences ? ` <small>(×${f.occurrences} checks)</small>` : ''}</h3>
<dl>${facts.map(([k, v]) => `<dt>${esc(k!)}</dt><dd>${esc(v!)}</dd>`).join('')}</dl>
${f.evidence.length > 0 ? `<details open><summary>evidence (${f.evidence.length})</summary>${evidence}${more}</details>` : ''}</article>`;
  });
  return `<section id="findings"><h2>Findings (${r.findings.length})</h2>${items.join('\n')}</section>`;
}

function suiteSections(r: RunReport, id: string, empty: string, title: string): string {
  const suite = r.suites.find((s) => s.id === id);
  const body = suite && suite.sections.length > 0 ? suite.sections.map(section).join('\n') : `<p class="none">${esc(empty)}</p>`;
  return `<section id="${id === 'search-quality' ? 'search' : id}"><h2>${esc(title)}</h2>${body}</section>`;
}

function measurementsBlock(r: RunReport): string {
  const others = r.suites.filter((s) => s.id !== 'search-quality' && s.id !== 'load' && s.sections.length > 0);
  const body = others.length > 0 ? others.map((s) => `<h3>${esc(s.title)} (${esc(s.id)})</h3>${s.sections.map(section).join('\n')}`).join('\n') : '<p class="none">No other suite reported measurements.</p>';
  return `<section id="measurements"><h2>Other measurements</h2>${body}</section>`;
}

function selftestBlock(s: SelftestSummary | undefined): string {
  if (!s) return `<section id="selftest"><h2>Selftest matrix</h2><p class="none">No selftest.json in this reports folder (npx shipgate selftest writes one).</p></section>`;
  const caught = s.defects.filter((d) => d.caught).length;
  const rows = s.defects
    .map((d) => `<tr class="${d.caught ? 'passed' : 'failed'}"><td>${esc(d.system)}</td><td>${esc(d.id)}</td><td>${esc(d.promise)}</td><td>${esc(d.expectedSuites.join(', '))}</td><td>${esc(d.failingSuites.join(', ') || '—')}</td><td>${d.caught ? '✅' : `❌ ${esc(d.why ?? '')}`}</td><td>${d.findings[0] ? `<code>${esc(d.findings[0].code)}</code> ${esc(d.findings[0].title)}` : '—'}</td></tr>`)
    .join('\n');
  return `<section id="selftest"><h2>Selftest matrix</h2>
<p>${s.systems.map((x) => `Clean ${esc(x.name)}: <strong>${esc(x.clean)}</strong> (${x.findings} findings)`).join(' · ')} · ${caught}/${s.defects.length} defects caught · seed <code>${s.seed}</code></p>
<div class="scroll"><table><thead><tr><th>system</th><th>defect</th><th>broken promise</th><th>expected suites</th><th>failing suites</th><th>caught</th><th>finding</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

function trendBlock(r: RunReport, history: HistoryEntry[]): string {
  if (history.length === 0) return `<section id="trend"><h2>Trend</h2><p class="none">No earlier run in reports/history/: the trend starts with this run.</p></section>`;
  const count = (s: string) => r.tests.filter((t) => t.status === s).length;
  const now = { label: `this run (${r.startedAt})`, gate: r.gate, durationMs: r.durationMs, failed: count('failed'), passed: count('passed'), findings: new Set(r.findings.map((f) => f.code)).size };
  const points = [...history.map((h) => ({ label: h.startedAt, gate: h.gate, durationMs: h.durationMs, failed: h.checks.failed, passed: h.checks.passed, findings: h.findings.length })), now];
  const metrics = new Map<string, (number | undefined)[]>();
  const current: Record<string, number> = {};
  for (const s of r.suites) for (const sec of s.sections) for (const [k, v] of Object.entries(sec.metrics ?? {})) current[`${s.id}: ${k}`] = v;
  for (const key of new Set([...history.flatMap((h) => Object.keys(h.metrics)), ...Object.keys(current)])) metrics.set(key, [...history.map((h) => h.metrics[key]), current[key]]);
  const charts = [
    trendSvg(points.map((p) => ({ label: p.label, value: p.failed })), 'failed checks'),
    trendSvg(points.map((p) => ({ label: p.label, value: p.durationMs / 1_000 })), 'run time', ' s'),
    ...[...metrics].filter(([, values]) => values.filter((v) => v !== undefined).length >= 2).map(([key, values]) => trendSvg(values.map((value, i) => ({ label: points[i]!.label, value })), key)),
  ].join('\n');
  const rows = points
    .slice()
    .reverse()
    .map((p, i) => `<tr class="${p.gate === 'GO' ? 'passed' : 'failed'}"><td>${i === 0 ? '<strong>this run</strong>' : esc(p.label)}</td><td>${esc(p.gate)}</td><td class="n">${p.passed}</td><td class="n">${p.failed}</td><td class="n">${p.findings}</td><td class="n">${seconds(p.durationMs)}</td></tr>`)
    .join('\n');
  const previous = history[history.length - 1]!;
  const newCodes = [...new Set(r.findings.map((f) => f.code))].filter((c) => !previous.findings.includes(c));
  const goneCodes = previous.findings.filter((c) => !r.findings.some((f) => f.code === c));
  return `<section id="trend"><h2>Trend (this run and the last ${history.length})</h2>
<p>Since the previous run (${esc(previous.startedAt)}, ${esc(previous.gate)}): ${newCodes.length > 0 ? `new findings ${newCodes.map((c) => `<code>${esc(c)}</code>`).join(', ')}` : 'no new finding'}${goneCodes.length > 0 ? `; no longer seen ${goneCodes.map((c) => `<code>${esc(c)}</code>`).join(', ')}` : ''}.</p>
<div class="charts">${charts}</div>
<div class="scroll"><table><thead><tr><th>run</th><th>gate</th><th>passed</th><th>failed</th><th>findings</th><th>time</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

function notRunBlock(r: RunReport): string {
  const skipped = r.tests.filter((t) => t.status === 'skipped');
  const list = skipped.length > 0 ? `<ul>${skipped.map((t) => `<li>${esc(t.suite)} › ${esc(t.fullName)}: ${esc(t.skipReason ?? 'skipped')}</li>`).join('')}</ul>` : '<p class="none">Every check of the suites that ran was run.</p>';
  const errors = r.errors.length > 0 ? `<h3>Errors outside any check</h3>${r.errors.map((e) => `<pre>${esc(e)}</pre>`).join('')}` : '';
  return `<section id="not-run"><h2>Checks not run (${skipped.length})</h2>${list}${errors}</section>`;
}

const CSS = `
:root{--go:#1a7f37;--nogo:#cf222e;--err:#9a6700;--line:#d0d7de;--muted:#57606a;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328}
body{max-width:1100px;margin:0 auto;padding:24px;line-height:1.45}
h1{margin:0 0 8px;font-size:28px}h1 small{font-weight:normal;color:var(--muted)}h2{border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:32px}
.gate{border-left:8px solid var(--line);padding:12px 16px;background:#f6f8fa}.gate.go{border-color:var(--go)}.gate.nogo{border-color:var(--nogo)}.gate.error{border-color:var(--err)}
.verdict{padding:2px 10px;border-radius:6px;color:#fff;background:var(--muted)}.go .verdict{background:var(--go)}.nogo .verdict{background:var(--nogo)}.error .verdict{background:var(--err)}
.facts{color:var(--muted);margin:4px 0}.warning{color:var(--err)}.narrowed{font-weight:bold;color:var(--err)}
nav a{margin-right:12px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}td.n{text-align:right}th{background:#f6f8fa}
.scroll{overflow-x:auto}
.status{padding:1px 6px;border-radius:4px;font-size:12px;background:#eaeef2}.status.passed{background:#dafbe1}.status.failed{background:#ffebe9}
.finding{border:1px solid var(--line);border-left:6px solid var(--nogo);padding:8px 12px;margin:12px 0;border-radius:4px}.finding.medium,.finding.low{border-left-color:var(--err)}
.finding h3{margin:0 0 6px;font-size:16px}dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}dt{color:var(--muted)}dd{margin:0}
pre{background:#f6f8fa;padding:8px;overflow-x:auto;font-size:12px;white-space:pre-wrap;word-break:break-word}
.none{color:var(--muted)}
.chart{margin:8px 0}.chart svg{background:#fff;border:1px solid var(--line)}figcaption{font-size:12px;color:var(--muted)}
.bar{fill:#0969da}.axis{stroke:#8c959f}.tick{font-size:10px;fill:#57606a}.line{fill:none;stroke:#0969da;stroke-width:2}.dot{fill:#0969da}.dot.now{fill:#cf222e}
.charts{display:flex;flex-wrap:wrap;gap:12px}
@media print{body{max-width:none;padding:0}nav{display:none}.finding,.chart,tr{break-inside:avoid}a{color:inherit;text-decoration:none}}
@page{margin:14mm}
`;

/** The whole sign-off as one HTML page. */
export function toSignoffHtml(r: RunReport, o: HtmlInput): string {
  const nav = HTML_SECTIONS.map((id) => `<a href="#${id}">${id.replace('-', ' ')}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>shipgate sign-off: ${esc(r.gate)} for ${esc(r.target.name)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${gateBlock(r)}
<nav>${nav}</nav>
${suitesBlock(r, o.shards)}
${findingsBlock(r)}
${suiteSections(r, 'search-quality', 'This run has no search metrics (search-quality did not run).', 'Search quality')}
${suiteSections(r, 'load', "This run had no load (shipgate load or shipgate nightly runs the profile's load block).", 'Load')}
${measurementsBlock(r)}
${selftestBlock(o.selftest)}
${trendBlock(r, o.history)}
${notRunBlock(r)}
</main>
<footer class="facts">Written by shipgate ${esc(r.tool.version)} at ${esc(r.finishedAt)}. Evidence is redacted: tokens and secrets are replaced by labels.</footer>
</body>
</html>
`;
}
