import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseExecutor, runLoadPlan, findK6, LoadRunError } from '../../harness/load/executor.ts';
import { k6Options, k6Script, scriptData } from '../../harness/load/k6-script.ts';
import { requestAt, weightedSchedule, type LoadPlan } from '../../harness/load/plan.ts';
import { evaluateThresholds, parseThreshold } from '../../harness/load/thresholds.ts';
import { ROOT } from '../support/cli.ts';

const SECRET = 'token-that-must-stay-out-of-files-0001';

function plan(): LoadPlan {
  const routes = [
    { name: 'list', method: 'GET' as const, path: '/v1/documents', weight: 3, as: 'tenant' as const, bodies: [] },
    { name: 'read', method: 'GET' as const, path: '/v1/documents/{id}', weight: 1, as: 'tenant' as const, bodies: [] },
    { name: 'create', method: 'POST' as const, path: '/v1/documents', weight: 1, as: 'tenant' as const, bodies: ['{"title":"a"}', '{"title":"b"}'], expect: [201] },
    { name: 'health', method: 'GET' as const, path: '/liveness', weight: 1, as: 'anonymous' as const, bodies: [] },
  ];
  return {
    baseUrls: ['http://127.0.0.1:1', 'http://127.0.0.1:2'],
    model: { kind: 'vus' },
    stages: [{ durationMs: 5_000, target: 5 }, { durationMs: 10_000, target: 5 }, { durationMs: 1_500, target: 0 }],
    routes,
    schedule: weightedSchedule(routes.map((r) => r.weight)),
    identities: [
      { label: 'tenant-1', headers: { authorization: `Bearer ${SECRET}` }, ids: { read: ['a 1', 'a2', 'a3'] } },
      { label: 'tenant-2', headers: { authorization: 'Bearer other-token' }, ids: { read: ['b1'] } },
      { label: 'tenant-3', headers: { cookie: 'session=third' }, ids: { read: ['c1', 'c2'] } },
    ],
    timeoutMs: 4_000,
    thresholds: [parseThreshold('http_req_duration', 'p(95)<300'), parseThreshold('http_req_duration{route:read}', 'p(97.5)<500'), parseThreshold('http_req_failed', 'rate<0.01')],
  };
}

describe('the generated k6 script', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-k6-script-'));

  it('type-checks against @types/k6', () => {
    const file = join(dir, 'script.js');
    writeFileSync(file, k6Script(plan(), { target: 'reference' }));
    const program = ts.createProgram([file], {
      allowJs: true,
      checkJs: true,
      noEmit: true,
      strict: true,
      target: ts.ScriptTarget.ES2020,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2020.d.ts'],
      types: ['k6'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(diagnostics).toEqual([]);
    // The check is real: the same program rejects a call k6/http does not have.
    writeFileSync(file, `${k6Script(plan(), { target: 'reference' })}\nhttp.fetchAll('x');\n`);
    const broken = ts.getPreEmitDiagnostics(ts.createProgram([file], program.getCompilerOptions()));
    expect(broken.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n')).toMatch(/fetchAll/);
  });

  it('holds the scenario and the thresholds, and never a credential', () => {
    const p = plan();
    const script = k6Script(p, { target: 'reference' });
    expect(script).not.toContain(SECRET);
    expect(script).not.toContain('other-token');
    const options = k6Options(p) as { scenarios: { shipgate: Record<string, unknown> }; thresholds: Record<string, string[]>; summaryTrendStats: string[] };
    expect(options.scenarios.shipgate).toEqual({
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [{ duration: '5s', target: 5 }, { duration: '10s', target: 5 }, { duration: '1500ms', target: 0 }],
      gracefulRampDown: '0s',
    });
    expect(options.thresholds['http_req_duration']).toEqual(['p(95)<300']);
    expect(options.thresholds['http_req_duration{route:read}']).toEqual(['p(97.5)<500', 'max>=0']);
    expect(options.thresholds['http_reqs{route:create}']).toEqual(['count>=0']);
    expect(options.summaryTrendStats).toEqual(expect.arrayContaining(['p(95)', 'p(97.5)', 'med', 'count']));
    const arrival = k6Options({ ...p, model: { kind: 'arrival', timeUnitMs: 1_000, startRate: 2, preAllocatedVUs: 3, maxVUs: 9 } }) as { scenarios: { shipgate: Record<string, unknown> } };
    expect(arrival.scenarios.shipgate).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 2, timeUnit: '1s', preAllocatedVUs: 3, maxVUs: 9 });
  });

  it('sends, virtual user by user and iteration by iteration, the requests the in-process executor sends', async () => {
    const p = plan();
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(scriptData(p)));
    // k6's modules and globals, stubbed: the script's own logic runs unchanged.
    const sent: { method: string; url: string; body: unknown; params: { headers: Record<string, string>; tags: Record<string, string>; timeout: number } }[] = [];
    const exec = { vu: { idInTest: 1, iterationInScenario: 0 } };
    Object.assign(globalThis, {
      __k6http: { request: (method: string, url: string, body: unknown, params: never) => sent.push({ method, url, body, params }), expectedStatuses: (...s: unknown[]) => s },
      __k6exec: exec,
      __ENV: { SHIPGATE_LOAD_PLAN: planFile },
      open: (f: string) => readFileSync(f, 'utf8'),
    });
    const module = join(dir, 'script.mjs');
    writeFileSync(
      module,
      k6Script(p, { target: 'reference' })
        .replace("import http from 'k6/http';", 'const http = globalThis.__k6http;')
        .replace("import exec from 'k6/execution';", 'const exec = globalThis.__k6exec;'),
    );
    const script = (await import(pathToFileURL(module).href)) as { default: () => void };
    for (let vu = 0; vu < 4; vu++) {
      for (let n = 0; n < 13; n++) {
        exec.vu = { idInTest: vu + 1, iterationInScenario: n };
        script.default();
        const want = requestAt(p, vu, n);
        const got = sent.at(-1)!;
        expect(got.url).toBe(`${p.baseUrls[vu % 2]}${want.path}`);
        expect(got.method).toBe(p.routes[want.route]!.method);
        expect(got.body).toBe(want.body ?? null);
        expect(got.params.headers).toEqual(want.headers);
        expect(got.params.tags).toEqual({ route: p.routes[want.route]!.name });
      }
    }
    expect(sent.some((s) => s.url.endsWith('/v1/documents/a%201'))).toBe(true);
  });
});

/** A stand-in for k6 on PATH: checks how it is called and writes a summary in k6's handleSummary format. */
const FAKE_K6 = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
const script = args[args.length - 1];
if (args[0] !== 'run' || !fs.existsSync(script)) { console.error('usage: k6 run script.js'); process.exit(107); }
const plan = JSON.parse(fs.readFileSync(process.env.SHIPGATE_LOAD_PLAN, 'utf8'));
fs.writeFileSync(process.env.FAKE_K6_SAW, JSON.stringify({ args, identities: plan.identities.length, planFile: process.env.SHIPGATE_LOAD_PLAN, mode: (fs.statSync(process.env.SHIPGATE_LOAD_PLAN).mode & 0o777).toString(8) }));
if (process.env.FAKE_K6_CRASH) { console.error('ERRO[0000] GoError: something broke'); process.exit(107); }
const p95 = Number(process.env.FAKE_K6_P95);
const trend = (scale) => ({ type: 'trend', contains: 'time', values: { avg: 40 * scale, min: 2, med: 35 * scale, max: 900 * scale, 'p(1)': 3, 'p(5)': 5, 'p(10)': 8, 'p(25)': 20, 'p(50)': 35 * scale, 'p(75)': 60 * scale, 'p(90)': 100 * scale, 'p(95)': p95 * scale, 'p(99)': 600 * scale, 'p(99.9)': 850 * scale, count: 2000 } });
const counter = (count) => ({ type: 'counter', contains: 'default', values: { count, rate: count / 20 } });
const data = {
  root_group: { name: '', path: '', groups: [], checks: [] },
  options: { summaryTrendStats: ['avg', 'p(95)'], summaryTimeUnit: '', noColor: true },
  state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 20012.5 },
  metrics: {
    http_req_duration: trend(1),
    'http_req_duration{route:list}': trend(1),
    'http_req_duration{route:read}': trend(1.5),
    http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.002, passes: 4, fails: 1996 } },
    http_reqs: counter(2000),
    'http_reqs{route:list}': counter(1000),
    'http_reqs{route:read}': counter(400),
    vus_max: { type: 'gauge', contains: 'default', values: { value: 5, min: 5, max: 5 } },
  },
};
fs.writeFileSync(process.env.SHIPGATE_SUMMARY, JSON.stringify(data));
process.exit(p95 >= 300 ? 99 : 0);
`;

describe('the k6 executor, with a k6 on PATH', () => {
  let bin: string;
  let saw: string;
  let reports: string;
  const path = process.env.PATH;
  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'shipgate-fake-k6-'));
    writeFileSync(join(bin, 'k6'), FAKE_K6);
    chmodSync(join(bin, 'k6'), 0o755);
    saw = join(bin, 'saw.json');
    reports = mkdtempSync(join(tmpdir(), 'shipgate-load-reports-'));
    process.env.PATH = `${bin}${delimiter}${path}`;
    process.env.FAKE_K6_SAW = saw;
  });
  afterEach(() => {
    process.env.PATH = path;
    delete process.env.FAKE_K6_P95;
    delete process.env.FAKE_K6_CRASH;
  });

  it('is chosen on auto, runs the script, reads its summary back, and the thresholds judge it', async () => {
    expect(findK6()).toBe(join(bin, 'k6'));
    process.env.FAKE_K6_P95 = '412.5';
    const p = plan();
    const result = await runLoadPlan(p, { executor: 'auto', dir: join(reports, 'load'), target: 'reference' });
    expect(result.executor).toBe('k6');
    expect(result.why).toBe(`k6 is on PATH (${join(bin, 'k6')})`);
    const called = JSON.parse(readFileSync(saw, 'utf8')) as { args: string[]; identities: number; planFile: string; mode: string };
    expect(called.args).toEqual(['run', '--no-color', '--quiet', '--address', '', join(reports, 'load', 'k6-script.js')]);
    expect(called.identities).toBe(3);
    expect(called.mode).toBe('600');
    // The credentials' file is gone; the script and the summary are kept.
    expect(existsSync(called.planFile)).toBe(false);
    expect(result.files).toEqual([join(reports, 'load', 'k6-script.js'), join(reports, 'load', 'k6-summary.json'), join(reports, 'load', 'k6.log')]);
    expect(readFileSync(join(reports, 'load', 'k6-script.js'), 'utf8')).not.toContain(SECRET);
    const verdicts = evaluateThresholds(p.thresholds, result.summary);
    expect(verdicts.map((v) => [v.threshold.key, v.outcome, v.actual])).toEqual([
      ['http_req_duration', 'breached', 412.5],
      // The summary has no p(97.5) for this route: not judged, never passed.
      ['http_req_duration{route:read}', 'unmeasured', undefined],
      ['http_req_failed', 'passed', 0.002],
    ]);
    expect(result.maxVus).toBe(5);
    // The histogram is estimated from the percentiles and accounts for every request.
    expect(result.histogram?.from).toBe('percentiles');
    expect(result.histogram?.counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(1_990);
    expect(result.histogram?.counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2_010);
    expect(Object.keys(result.routeHistograms ?? {})).toEqual(['list', 'read']);
  });

  it('passes when the summary is within the thresholds (k6 exit 0)', async () => {
    process.env.FAKE_K6_P95 = '120';
    const p = plan();
    const result = await runLoadPlan(p, { executor: 'k6', dir: join(reports, 'load'), target: 'reference' });
    expect(evaluateThresholds([p.thresholds[0]!, p.thresholds[2]!], result.summary).map((v) => v.outcome)).toEqual(['passed', 'passed']);
  });

  it('says what broke when k6 fails, with the end of its log', async () => {
    process.env.FAKE_K6_CRASH = '1';
    await expect(runLoadPlan(plan(), { executor: 'auto', dir: join(reports, 'load'), target: 'reference' })).rejects.toThrow(/k6 exited with code 107; the end of its log .*k6\.log\):\nERRO\[0000\] GoError: something broke/);
  });

  it("refuses executor 'k6' with no k6 on PATH, naming what to do; auto falls back to autocannon", () => {
    expect(() => chooseExecutor('k6', '/nowhere')).toThrow(LoadRunError);
    expect(() => chooseExecutor('k6', '/nowhere')).toThrow(/load.executor is 'k6' and no k6 executable is on PATH: install k6 .* or set load.executor to 'auto'/);
    expect(chooseExecutor('auto', '/nowhere')).toEqual({ name: 'autocannon', why: "no k6 on PATH: autocannon runs in shipgate's process" });
    expect(chooseExecutor('autocannon', `${bin}`).name).toBe('autocannon');
  });
});
