import { formatFinding } from '../findings/finding.ts';
import type { RunReport } from './model.ts';

const escapeXml = (s: string) =>
  s
    // XML 1.0 cannot carry these control characters at all, escaped or not.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/** JUnit XML: a testsuite per shipgate suite (not-applicable ones as a skipped case saying why). */
export function toJunit(r: RunReport): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = r.tests.filter((t) => t.status === 'failed').length;
  out.push(
    `<testsuites name="shipgate ${escapeXml(r.target.name)}" tests="${r.tests.length}" failures="${failures}" errors="${r.errors.length}" time="${(r.durationMs / 1000).toFixed(3)}">`,
  );
  for (const s of r.suites) {
    const tests = r.tests.filter((t) => t.suite === s.id);
    const inapplicable = s.status === 'not-applicable' || s.status === 'skipped';
    const errors = r.errors.filter((x) => x.startsWith(`suites/${s.id}/`));
    out.push(
      `  <testsuite name="${escapeXml(s.id)}" tests="${(inapplicable ? 1 : tests.length) + errors.length}" failures="${s.failed}" errors="${errors.length}" skipped="${inapplicable ? 1 : s.skipped}" time="${(s.durationMs / 1000).toFixed(3)}">`,
    );
    // The suite's time is its wall time; how much of it went to loading and to the checks themselves is a property.
    if (!inapplicable && (s.loadMs !== undefined || s.checksMs !== undefined)) {
      out.push('    <properties>');
      if (s.loadMs !== undefined) out.push(`      <property name="shipgate.loadSeconds" value="${(s.loadMs / 1000).toFixed(3)}"/>`);
      if (s.checksMs !== undefined) out.push(`      <property name="shipgate.checksSeconds" value="${(s.checksMs / 1000).toFixed(3)}"/>`);
      out.push('    </properties>');
    }
    // An error outside any check (a suite file that did not load) is shown, not hidden as green.
    for (const e of errors) {
      out.push(`    <testcase classname="${escapeXml(s.id)}" name="${escapeXml(e.split(':')[0] ?? s.id)}" time="0">`);
      out.push(`      <error message="${escapeXml(e.split('\n')[0] ?? '')}">${escapeXml(e)}</error>`);
      out.push('    </testcase>');
    }
    if (inapplicable) {
      out.push(`    <testcase classname="${escapeXml(s.id)}" name="${escapeXml(s.title)}" time="0">`);
      out.push(`      <skipped message="${escapeXml(`${s.status}: ${s.reason ?? ''}`)}"/>`);
      out.push('    </testcase>');
    }
    for (const t of tests) {
      out.push(`    <testcase classname="${escapeXml(s.id)}" name="${escapeXml(t.fullName)}" time="${(t.durationMs / 1000).toFixed(3)}">`);
      if (t.status === 'skipped') out.push(`      <skipped message="${escapeXml(t.skipReason ?? 'skipped')}"/>`);
      if (t.status === 'failed') {
        const head = t.findings[0] ? `[${t.findings[0].code}] ${t.findings[0].title}` : (t.message ?? 'failed');
        const body = t.findings.length > 0 ? t.findings.map(formatFinding).join('\n\n') : (t.message ?? '');
        out.push(`      <failure message="${escapeXml(head)}">${escapeXml(body)}</failure>`);
      }
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
