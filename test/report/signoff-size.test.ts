import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../harness/findings/finding.ts';
import { decideGate, gateLabel } from '../../harness/report/gate.ts';
import type { RunReport, SuiteResult, TestRecord } from '../../harness/report/model.ts';
import { SIGNOFF_LIMIT, toFindingsMarkdown, toSignoffJson, toSignoffMarkdown } from '../../harness/report/signoff.ts';
import { clearEarlierOutputs, errorReport, writeErrorReport, writeReports } from '../../harness/report/write.ts';

const suite = (id: string, status: SuiteResult['status'], o: Partial<SuiteResult> = {}): SuiteResult => ({
  id,
  title: id,
  promise: `${id} promise`,
  status,
  tests: status === 'passed' || status === 'failed' ? 2 : 0,
  passed: status === 'passed' ? 2 : 0,
  failed: status === 'failed' ? 1 : 0,
  skipped: 0,
  durationMs: 5,
  sections: [],
  ...o,
});

/** A finding whose evidence is a large response body: what a leak or a 5xx with a dump looks like. */
function bigFinding(code: string, n: number): Finding {
  const body = `{"items":[${Array.from({ length: 400 }, (_, i) => `{"id":${i},"title":"row ${i} of finding ${n}","secretless":"${'x'.repeat(40)}"}`).join(',')}]}`;
  return {
    code,
    suite: `suite-${n % 7}`,
    check: `check ${n} ${'with a long name '.repeat(10)}`,
    title: `finding ${n}: ${'a very long title that goes on '.repeat(30)}`,
    promise: 'a promise the system made',
    severity: n % 3 === 0 ? 'critical' : 'high',
    expected: 'something',
    actual: 'something else '.repeat(50),
    seed: 7,
    replay: `npx shipgate verify --config /a/b/shipgate.config.ts --reports reports --seed 7 --runs 5 --iterations 4 --suite suite-${n % 7}`,
    evidence: Array.from({ length: 4 }, (_, e) => ({
      label: `exchange ${e}`,
      exchange: {
        instance: 0,
        request: { method: 'GET', url: `http://127.0.0.1:1/v1/items?page=${e}`, headers: { authorization: '«tenant-1 token»' } },
        response: { status: 200, headers: { 'content-type': 'application/json' }, body },
        ms: 3,
      },
    })),
  };
}

function manyFindings(codes: number, perCode: number): RunReport {
  const findings = Array.from({ length: codes * perCode }, (_, i) => bigFinding(`CODE_${i % codes}`, i));
  const tests: TestRecord[] = [
    ...findings.map((f, i) => ({ suite: f.suite!, name: `t${i}`, fullName: `t${i}`, status: 'failed' as const, durationMs: 1, findings: [f], sections: [], file: 'x' })),
    ...Array.from({ length: 800 }, (_, i) => ({ suite: 'auth', name: `s${i}`, fullName: `skipped check ${i} ${'named at length '.repeat(8)}`, status: 'skipped' as const, durationMs: 0, skipReason: `not applicable: reason ${i % 40} ${'because '.repeat(20)}`, findings: [], sections: [], file: 'y' })),
  ];
  const sections = Array.from({ length: 6 }, (_, i) => ({ title: `measure ${i}`, text: 'm '.repeat(2_000), rows: Array.from({ length: 300 }, (_, r) => ({ query: `q${r} ${'long '.repeat(20)}`, recall: 0.5, ndcg: 0.25 })) }));
  return {
    tool: { name: 'shipgate', version: '0.1.0' },
    gate: 'NO-GO',
    gateReasons: Array.from({ length: 60 }, (_, i) => `suite suite-${i} failed: ${'CODE_1, CODE_2, '.repeat(40)}`),
    seed: 7,
    startedAt: '2026-11-21T10:00:00.000Z',
    finishedAt: '2026-11-21T10:10:00.000Z',
    durationMs: 600_000,
    target: { name: 'ref', kind: 'ephemeral', baseUrls: [], launched: true },
    suites: [suite('search-quality', 'passed', { sections }), ...Array.from({ length: 7 }, (_, i) => suite(`suite-${i}`, 'failed', { reason: 'CODE_1, '.repeat(200) }))],
    tests,
    findings,
    errors: Array.from({ length: 20 }, (_, i) => `suites/x/${i}.check.ts: ${'stack line\n'.repeat(300)}`),
    identities: { made: 40, throttled: 0 },
    warnings: [],
  };
}

describe('the sign-off fits where it is posted', () => {
  it('stays under 60,000 characters with hundreds of large findings, each code summarised once with its count', () => {
    const r = manyFindings(25, 12);
    const md = toSignoffMarkdown(r);
    expect(md.length).toBeLessThan(SIGNOFF_LIMIT);
    // The gate and why come first.
    expect(md.split('\n')[0]).toBe('## shipgate: 🔴 NO-GO for ref (ephemeral)');
    expect(md.split('\n')[2]).toMatch(/^- suite suite-0 failed/);
    for (let c = 0; c < 25; c++) {
      expect(md.match(new RegExp(`#### \`CODE_${c}\` ×12 `, 'g'))).toHaveLength(1);
    }
    // Every code keeps its first evidence while there is room for it.
    expect(md).toContain('first evidence');
    // The replay the findings share is printed once, each finding adding its suite.
    expect(md.match(/Replay of this run/g)).toHaveLength(1);
    expect(md).toContain('Replay of this run (each finding adds its own `--suite`): `npx shipgate verify --config /a/b/shipgate.config.ts --reports reports --seed 7 --runs 5 --iterations 4`');
    expect(md).toContain("- **replay:** the run's replay (above) with `--suite suite-0`");
    expect(md).toContain('[findings.md](findings.md)');
    // The full evidence is all in findings.md.
    const full = toFindingsMarkdown(r);
    expect(full.length).toBeGreaterThan(md.length);
    expect(full.match(/^#### `CODE_/gm)).toHaveLength(300);
  });

  it('stays under the limit even when the codes alone would not fit, and says where the rest is', () => {
    const r = manyFindings(900, 1);
    const md = toSignoffMarkdown(r);
    expect(md.length).toBeLessThan(SIGNOFF_LIMIT);
    expect(md).toMatch(/## shipgate: 🔴 NO-GO/);
    expect(md).toContain('everything is in [findings.md](findings.md)');
    // A cut never leaves a code fence open.
    expect((md.match(/^`{3,}$/gm) ?? []).length % 2).toBe(0);
  });

  it('keeps evidence with backticks inside its fence', () => {
    const f = { ...bigFinding('CODE_TICKS', 1), evidence: [{ label: 'x', text: 'a ``` b ```` c' }] };
    const md = toSignoffMarkdown({ ...manyFindings(1, 1), findings: [f] });
    expect(md).toContain('`````\n-- x\na ``` b ```` c\n`````');
  });
});

describe('narrowed runs', () => {
  const suites = [suite('auth', 'passed'), suite('rls', 'skipped', { reason: 'not selected (--suite)' }), suite('roles', 'skipped', { reason: 'not selected (--suite)' })];

  it('are never a release GO while a required suite was left out, and say which', () => {
    const g = decideGate({ suites, errors: [], required: ['auth', 'rls'], selected: ['auth'] });
    expect(g.gate).toBe('NO-GO');
    expect(g.narrowed).toEqual({ selected: ['auth'], notSelected: ['rls', 'roles'], requiredNotRun: ['rls'], selectedVerdict: 'GO' });
    expect(g.reasons).toEqual([
      'the selected suites are GO (1 suites passed, none failed)',
      'narrowed with --suite: required suite rls (gate.require) did not run, so this run cannot release',
    ]);
    expect(gateLabel({ gate: g.gate, narrowed: g.narrowed! })).toBe('NO-GO (narrowed to auth; required, not run: rls)');
  });

  it('are GO, labelled as narrowed, when every required suite was among those run', () => {
    const g = decideGate({ suites, errors: [], required: ['auth'], selected: ['auth'] });
    expect(g.gate).toBe('GO');
    expect(gateLabel({ gate: g.gate, narrowed: g.narrowed! })).toBe('GO (narrowed to auth)');
  });

  it('say so in signoff.json and in the sign-off', () => {
    const g = decideGate({ suites, errors: [], required: ['auth', 'rls'], selected: ['auth'] });
    const r: RunReport = { ...manyFindings(0, 0), gate: g.gate, gateReasons: g.reasons, narrowed: g.narrowed!, suites, tests: [], errors: [] };
    expect(toSignoffJson(r)).toMatchObject({ gate: 'NO-GO', narrowed: true, selected: ['auth'], requiredNotRun: ['rls'], selectedVerdict: 'GO' });
    const md = toSignoffMarkdown(r);
    expect(md.split('\n')[0]).toBe('## shipgate: 🔴 NO-GO (narrowed to auth; required, not run: rls) for ref (ephemeral)');
    expect(md).toContain('Narrowed with `--suite` to auth: 2 other suites did not run, among them required rls.');
  });
});

describe('reports are never stale', () => {
  it("an earlier run's outputs are removed, and nothing that is not shipgate's", () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-stale-'));
    writeReports(manyFindings(1, 1), dir);
    mkdirSync(join(dir, 'logs', 'verify'), { recursive: true });
    writeFileSync(join(dir, 'logs', 'verify', 'api-0.log'), 'old');
    mkdirSync(join(dir, 'logs', 'mine'), { recursive: true });
    writeFileSync(join(dir, 'logs', 'mine', 'keep.log'), 'user');
    writeFileSync(join(dir, 'notes.md'), 'user');
    clearEarlierOutputs(dir);
    for (const f of ['signoff.json', 'signoff.md', 'findings.md', 'ctrf.json', 'junit.xml', 'logs/verify']) expect(existsSync(join(dir, f)), f).toBe(false);
    for (const f of ['notes.md', 'logs/mine/keep.log']) expect(existsSync(join(dir, f)), f).toBe(true);
  });

  it("the Pact verifier's and k6's files of an earlier run go too, and then their folders", () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-stale-'));
    mkdirSync(join(dir, 'logs'), { recursive: true });
    writeFileSync(join(dir, 'logs', 'pact-verifier.log'), 'old');
    mkdirSync(join(dir, 'load'), { recursive: true });
    for (const f of ['k6-script.js', 'k6-summary.json', 'k6.log']) writeFileSync(join(dir, 'load', f), 'old');
    clearEarlierOutputs(dir);
    for (const f of ['logs', 'load']) expect(existsSync(join(dir, f)), f).toBe(false);
  });

  it('a run that stops before verifying anything writes gate ERROR with the reason and no suite results', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-error-'));
    const r = errorReport({ reason: 'target unreachable: GET http://127.0.0.1:9/ got no answer', detail: 'target unreachable: GET http://127.0.0.1:9/ got no answer\nmore', exitCode: 3, version: '0.1.0', startedAt: new Date() });
    writeErrorReport(r, dir);
    const json = JSON.parse(readFileSync(join(dir, 'signoff.json'), 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({ gate: 'ERROR', exitCode: 3, gateReasons: ['target unreachable: GET http://127.0.0.1:9/ got no answer'], suites: [], findings: [] });
    const md = readFileSync(join(dir, 'signoff.md'), 'utf8');
    expect(md.split('\n')[0]).toBe('## shipgate: ⚠️ ERROR for (profile not loaded) (unknown)');
    expect(md).toContain('No suite ran: the run stopped before it could verify anything (exit 3).');
  });
});
