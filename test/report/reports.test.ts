import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../harness/findings/finding.ts';
import { redactor } from '../../harness/http/redact.ts';
import { toCtrf } from '../../harness/report/ctrf.ts';
import { decideGate } from '../../harness/report/gate.ts';
import { toJunit } from '../../harness/report/junit.ts';
import type { RunReport, SuiteResult, TestRecord } from '../../harness/report/model.ts';
import { toSignoffJson, toSignoffMarkdown } from '../../harness/report/signoff.ts';
import { writeReports } from '../../harness/report/write.ts';

const suite = (id: string, status: SuiteResult['status'], o: Partial<SuiteResult> = {}): SuiteResult => ({
  id,
  title: id,
  promise: `${id} promise`,
  status,
  tests: status === 'passed' || status === 'failed' ? 2 : 0,
  passed: status === 'passed' ? 2 : status === 'failed' ? 1 : 0,
  failed: status === 'failed' ? 1 : 0,
  skipped: 0,
  durationMs: 5,
  sections: [],
  ...o,
});

const finding: Finding = {
  code: 'TENANT_FOREIGN_READ',
  suite: 'tenant-isolation',
  check: 'document: read',
  title: 'tenant-2 read tenant-1\'s document <b> & "more"',
  promise: "Another tenant's resource answers like a missing one.",
  severity: 'critical',
  seed: 42,
  replay: 'npx shipgate verify --seed 42 --suite tenant-isolation',
  evidence: [{ label: 'read', text: 'GET /v1/documents/1 -> 200' }],
};

const test = (status: TestRecord['status'], o: Partial<TestRecord> = {}): TestRecord => ({
  suite: 'tenant-isolation',
  name: 'read',
  fullName: 'document > read',
  status,
  durationMs: 3,
  findings: status === 'failed' ? [finding] : [],
  sections: [],
  file: 'suites/tenant-isolation/isolation.check.ts',
  ...o,
});

function report(o: Partial<RunReport> = {}): RunReport {
  return {
    tool: { name: 'shipgate', version: '0.1.0' },
    gate: 'NO-GO',
    gateReasons: ['suite tenant-isolation failed'],
    seed: 42,
    startedAt: '2026-11-21T10:00:00.000Z',
    finishedAt: '2026-11-21T10:00:02.000Z',
    durationMs: 2000,
    target: { name: 'ref', kind: 'ephemeral', baseUrls: ['http://127.0.0.1:1'], launched: true },
    suites: [suite('tenant-isolation', 'failed'), suite('rls', 'not-applicable', { reason: 'no database block' })],
    tests: [test('passed'), test('failed'), test('skipped', { skipReason: 'not applicable: no jwt' })],
    findings: [finding],
    errors: [],
    identities: { made: 4, throttled: 0 },
    warnings: [],
    ...o,
  };
}

describe('the gate', () => {
  it('is GO only when a suite passed and none failed', () => {
    expect(decideGate({ suites: [suite('a', 'passed'), suite('b', 'not-applicable')], errors: [], required: [] }).gate).toBe('GO');
    expect(decideGate({ suites: [suite('a', 'passed'), suite('b', 'failed')], errors: [], required: [] })).toMatchObject({
      gate: 'NO-GO',
      reasons: [expect.stringContaining('suite b failed')],
    });
  });

  it('says, with a GO, which suites did not apply and are not required (a staging GO on 3 suites is not a GO on all)', () => {
    const suites = [suite('auth', 'passed'), suite('tenant-isolation', 'not-applicable', { reason: "needs 'ephemeral'" }), suite('roles', 'not-applicable'), suite('rls', 'skipped')];
    expect(decideGate({ suites, errors: [], required: [] }).reasons).toEqual(['1 suites passed, none failed; 2 did not apply to this target and are not in gate.require: tenant-isolation, roles']);
    expect(decideGate({ suites: [suite('auth', 'passed'), suite('rls', 'skipped')], errors: [], required: [] }).reasons).toEqual(['1 suites passed, none failed']);
  });

  it('is NO-GO when nothing was verified', () => {
    const g = decideGate({ suites: [suite('a', 'not-applicable'), suite('b', 'skipped')], errors: [], required: [] });
    expect(g).toEqual({ gate: 'NO-GO', reasons: ['no suite passed: nothing was verified'] });
  });

  it('is NO-GO when a required suite did not run, and when an error happened outside any check', () => {
    expect(decideGate({ suites: [suite('a', 'passed'), suite('rls', 'not-applicable', { reason: 'x' })], errors: [], required: ['rls'] }).reasons).toEqual([
      'required suite rls did not run (not-applicable: x)',
    ]);
    expect(decideGate({ suites: [suite('a', 'passed')], errors: ['suites/a/x.check.ts: SyntaxError'], required: [] }).gate).toBe('NO-GO');
  });
});

describe('report renderers', () => {
  it('writes CTRF with the required keys and one entry per check', () => {
    const ctrf = toCtrf(report()) as { reportFormat: string; specVersion: string; results: { tool: object; summary: Record<string, number>; tests: { name: string; status: string; duration: number }[] } };
    expect(ctrf.reportFormat).toBe('CTRF');
    expect(ctrf.specVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(ctrf.results.summary).toMatchObject({ tests: 3, passed: 1, failed: 1, skipped: 1, pending: 0, other: 0 });
    expect(ctrf.results.summary.stop! - ctrf.results.summary.start!).toBe(2000);
    expect(ctrf.results.tests.map((t) => t.status)).toEqual(['passed', 'failed', 'skipped']);
  });

  it('writes JUnit with escaped text, the finding as the failure and not-applicable suites as skipped', () => {
    const xml = toJunit(report());
    expect(xml).toContain(`<failure message="[TENANT_FOREIGN_READ] tenant-2 read tenant-1's document &lt;b&gt; &amp; &quot;more&quot;">`);
    expect(xml).toContain('<skipped message="not-applicable: no database block"/>');
    expect(xml).toContain('<skipped message="not applicable: no jwt"/>');
    expect(xml).not.toContain('<b>');
  });

  it('writes the sign-off JSON in the documented shape', () => {
    const json = toSignoffJson(report()) as Record<string, unknown>;
    expect(json).toMatchObject({
      gate: 'NO-GO',
      seed: 42,
      target: { name: 'ref', kind: 'ephemeral' },
      suites: [
        { id: 'tenant-isolation', status: 'failed', tests: 2, failed: 1 },
        { id: 'rls', status: 'not-applicable', tests: 0, failed: 0, reason: 'no database block' },
      ],
      findings: [{ code: 'TENANT_FOREIGN_READ', suite: 'tenant-isolation', severity: 'critical', title: finding.title, evidence: finding.evidence }],
    });
  });

  it('writes Markdown for a PR comment: gate, suites, findings with the replay command, checks not run', () => {
    const md = toSignoffMarkdown(report());
    expect(md).toMatch(/^## shipgate: 🔴 NO-GO for ref \(ephemeral\)/);
    expect(md).toContain('| rls | ➖ not applicable | 0 | 0 | 0 |  | no database block |');
    expect(md).toContain('`npx shipgate verify --seed 42 --suite tenant-isolation`');
    expect(md).toContain('- 1 × not applicable: no jwt: tenant-isolation › document > read');
    expect(md).toContain('[findings.md](findings.md)');
  });

  describe('where the time went', () => {
    const timed = () =>
      report({
        suites: [
          suite('tenant-isolation', 'failed', { durationMs: 12_300, loadMs: 1_200, checksMs: 10_900 }),
          suite('auth', 'passed', { durationMs: 45_600, loadMs: 800, checksMs: 44_000 }),
          suite('rls', 'not-applicable', { reason: 'no database block', durationMs: 0 }),
        ],
        timings: {
          startup: { from: 'process', phases: [{ phase: 'node, TypeScript and the CLI', ms: 400 }, { phase: 'profile', ms: 150 }], firstCheckMs: 2_345 },
          slowest: [{ suite: 'auth', check: 'expired token | every route', ms: 9_100 }],
        },
      });

    it('puts each suite\'s wall, loading and checks time, the slowest checks and the start-up phases in the sign-off JSON', () => {
      const json = toSignoffJson(timed()) as { suites: Record<string, unknown>[]; timings: unknown };
      expect(json.suites[0]).toMatchObject({ id: 'tenant-isolation', durationMs: 12_300, loadMs: 1_200, checksMs: 10_900 });
      expect(json.suites[2]).toMatchObject({ id: 'rls', durationMs: 0 });
      expect(json.timings).toEqual(timed().timings);
    });

    it('shows the time of each suite that ran in the Markdown table, the suites slowest first, the slowest checks and the start-up', () => {
      const md = toSignoffMarkdown(timed());
      expect(md).toContain('| tenant-isolation | ❌ failed | 2 | 1 | 0 | 12.3 s |');
      expect(md).toContain('| rls | ➖ not applicable | 0 | 0 | 0 |  | no database block |');
      const section = md.slice(md.indexOf('### Where the time went'));
      expect(section.indexOf('| auth | 45.6 s | 0.8 s | 44.0 s |')).toBeGreaterThan(0);
      expect(section.indexOf('| auth | 45.6 s')).toBeLessThan(section.indexOf('| tenant-isolation | 12.3 s | 1.2 s | 10.9 s |'));
      expect(section).toContain('| expired token \\| every route | auth | 9.1 s |');
      expect(section).toContain('start-up: the first check began 2.3 s after the process started');
      expect(section).toContain('| profile | 150 |');
    });

    it('gives JUnit each suite\'s wall time, with its loading and checks time as properties, and CTRF the timings', () => {
      const xml = toJunit(timed());
      expect(xml).toMatch(/<testsuite name="auth" [^>]*time="45\.600">\n {4}<properties>\n {6}<property name="shipgate\.loadSeconds" value="0\.800"\/>\n {6}<property name="shipgate\.checksSeconds" value="44\.000"\/>/);
      expect(xml).not.toMatch(/<testsuite name="rls"[^>]*>\n {4}<properties>/);
      const ctrf = toCtrf(timed()) as { results: { extra: { timings: unknown } } };
      expect(ctrf.results.extra.timings).toEqual(timed().timings);
    });
  });

  it('never writes a registered token to disk, even inside a finding', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9-not-shaped-but-secret-value-123';
    redactor.register(token, 'tenant-1 token');
    const leaky = report({ findings: [{ ...finding, evidence: [{ label: 'oops', text: `Authorization: Bearer ${token}` }] }] });
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-report-'));
    const files = writeReports(leaky, dir);
    expect(files.map((f) => f.split('/').pop())).toEqual(['signoff.json', 'signoff.md', 'findings.md', 'ctrf.json', 'junit.xml', 'signoff.html', 'run.json']);
    // run.json is the whole run (what `shipgate report` re-renders): it is scrubbed like the rest.
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toContain(token);
    expect(readFileSync(join(dir, 'signoff.json'), 'utf8')).toContain('«tenant-1 token»');
    expect(readFileSync(join(dir, 'run.json'), 'utf8')).toContain('«tenant-1 token»');
  });

  it('keeps its own fields whatever they are called (an accepted advisor finding\'s key), while still replacing known secrets', () => {
    redactor.register('registered-db-password-9', 'database password');
    const accepted = { title: 'Accepted findings', rows: [{ key: 'rls_enabled_no_policy:app.notes', reason: 'read through a function; password registered-db-password-9' }] };
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-report-'));
    writeReports(report({ suites: [suite('db-advisor', 'passed', { sections: [accepted] })] }), dir);
    const written = JSON.stringify(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')));
    expect(written).toContain('"key":"rls_enabled_no_policy:app.notes"');
    expect(written).toContain('password «database password»');
    expect(written).not.toContain('registered-db-password-9');
  });
});
