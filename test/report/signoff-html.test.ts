import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, findChromium } from '../../harness/browser/chromium.ts';
import type { Finding } from '../../harness/findings/finding.ts';
import { appendHistory, historyEntry, readHistory, HISTORY_KEEP } from '../../harness/report/history.ts';
import { HTML_SECTIONS, toSignoffHtml, type SelftestSummary } from '../../harness/report/html.ts';
import type { RunReport, SuiteResult, TestRecord } from '../../harness/report/model.ts';
import { printPdf } from '../../harness/report/pdf.ts';

const finding: Finding = {
  code: 'LOAD_THRESHOLD_BREACHED',
  suite: 'load',
  check: 'http_req_duration p(95)<300',
  title: 'http_req_duration p(95)<300 breached under load: p(95)=412.30 ms over 2000 requests (autocannon) <script>alert(1)</script>',
  promise: "Under the profile's load scenario the system stays within every threshold the profile declares.",
  severity: 'high',
  expected: 'http_req_duration p(95)<300',
  actual: 'p(95)=412.30 ms',
  evidence: [{ label: 'scenario', text: 'executor: autocannon\n2000 requests in 20 s' }, { label: 'exchange', text: 'GET /v1/documents -> 200' }],
};

const suite = (id: string, status: SuiteResult['status'], o: Partial<SuiteResult> = {}): SuiteResult => ({
  id,
  title: `${id} title`,
  promise: `${id} promise`,
  status,
  tests: 2,
  passed: status === 'failed' ? 1 : 2,
  failed: status === 'failed' ? 1 : 0,
  skipped: 0,
  durationMs: 1234,
  sections: [],
  ...o,
});

const test = (s: string, status: TestRecord['status']): TestRecord => ({ suite: s, name: 'c', fullName: `${s} > c`, status, durationMs: 5, findings: status === 'failed' ? [finding] : [], sections: [], file: `suites/${s}/x.check.ts`, ...(status === 'skipped' ? { skipReason: 'not applicable: no jwt' } : {}) });

function report(o: Partial<RunReport> = {}): RunReport {
  return {
    tool: { name: 'shipgate', version: '0.1.0' },
    gate: 'NO-GO',
    gateReasons: ['suite load failed: 1 of 2 checks (LOAD_THRESHOLD_BREACHED)'],
    seed: 7,
    startedAt: '2026-12-06T10:00:00.000Z',
    finishedAt: '2026-12-06T10:01:00.000Z',
    durationMs: 60_000,
    target: { name: 'reference', kind: 'ephemeral', baseUrls: ['http://127.0.0.1:1'], launched: true, database: 'embedded' },
    suites: [
      suite('auth', 'passed'),
      suite('load', 'failed', {
        sections: [
          { title: 'load scenario', text: 'executor: autocannon' },
          { title: 'latency by route', rows: [{ route: 'all', 'p95 ms': '412.3' }], metrics: { 'p95 ms': 412.3, 'req/s': 100 } },
          { title: 'latency histogram (all routes)', rows: [{ latency: '≤ 1 ms', requests: 3 }], histogram: { bounds: [1, 2, 5, 10], counts: [3, 10, 40, 7], total: 60, from: 'samples' } },
        ],
      }),
      suite('search-quality', 'passed', { sections: [{ title: 'Search quality at k=10', rows: [{ query: 'mean', 'MAP@10': '0.5000' }], metrics: { 'MAP@10': 0.5 } }] }),
      suite('health', 'passed', { sections: [{ title: 'probes', text: 'liveness 2 ms' }] }),
      suite('rls', 'not-applicable', { tests: 0, passed: 0, reason: 'the profile has no database block' }),
    ],
    tests: [test('auth', 'passed'), test('auth', 'skipped'), test('load', 'passed'), test('load', 'failed'), test('search-quality', 'passed'), test('health', 'passed')],
    findings: [finding],
    errors: [],
    identities: { made: 4, throttled: 0 },
    warnings: ['identities.jwt.secret is 12 characters'],
    ...o,
  };
}

const selftest: SelftestSummary = {
  clean: 'GO',
  seed: 3,
  systems: [{ name: 'reference', clean: 'GO', findings: 0 }],
  defects: [{ id: 'tenant-leak-read', system: 'reference', promise: 'isolation', expectedSuites: ['tenant-isolation'], failingSuites: ['tenant-isolation'], caught: true, findings: [{ code: 'TENANT_FOREIGN_READ', title: 'leak' }] }],
};

describe('the HTML sign-off', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-html-'));
  const found = findChromium();
  let browser: Browser | undefined;
  beforeAll(async () => {
    // CI installs Debian's Chromium (.ci/run); a machine without one says so here instead of passing.
    if ('missing' in found) throw new Error(`these tests open the sign-off in a real browser: ${found.missing}`);
    browser = await chromium.launch({ executablePath: found.path, headless: true, args: [...CHROMIUM_FLAGS] });
  });
  afterAll(async () => browser?.close());

  it('opens in a real browser with every section, no console error and no external request', async () => {
    // Three earlier runs, so the trend has lines to draw.
    for (const [i, p95] of [250, 280, 300].entries()) {
      const earlier = report({ startedAt: `2026-12-0${i + 1}T10:00:00.000Z`, gate: i === 0 ? 'GO' : 'NO-GO' });
      earlier.suites[1]!.sections[1]!.metrics = { 'p95 ms': p95, 'req/s': 100 };
      appendHistory(dir, historyEntry(earlier));
    }
    const html = toSignoffHtml(report(), { history: readHistory(dir), selftest });
    const file = join(dir, 'signoff.html');
    writeFileSync(file, html);
    const page = await browser!.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    expect(problems).toEqual([]);
    // Self-contained: the page itself is the only thing loaded.
    expect(requests).toEqual([pathToFileURL(file).href]);
    for (const id of HTML_SECTIONS) await expect(page.locator(`section#${id}`).isVisible(), `section #${id}`).resolves.toBe(true);
    expect(await page.locator('#gate .verdict').textContent()).toBe('NO-GO');
    expect(await page.locator('#suites tbody tr').count()).toBe(5);
    expect(await page.locator('#suites tr.failed td').first().textContent()).toBe('load');
    // Findings with evidence; text from the system is escaped, never run.
    expect(await page.locator('#findings article.finding code').first().textContent()).toBe('LOAD_THRESHOLD_BREACHED');
    expect(await page.locator('#findings h3').first().textContent()).toContain('<script>alert(1)</script>');
    expect(await page.locator('#findings pre').count()).toBe(2);
    // The load histogram is a chart with a bar per bucket; search metrics are a table.
    expect(await page.locator('#load svg rect.bar').count()).toBe(4);
    expect(await page.locator('#search table').count()).toBe(1);
    expect(await page.locator('#selftest tbody tr').count()).toBe(1);
    // The trend: this run and the three before it, with a line for a key figure.
    expect(await page.locator('#trend tbody tr').count()).toBe(4);
    expect(await page.locator('#trend figcaption').allTextContents()).toEqual(expect.arrayContaining(['failed checks', 'run time', 'load: p95 ms']));
    expect(await page.locator('#not-run li').count()).toBe(1);
    await page.close();
  });

  it('says plainly when a run has no search, load, selftest or history', async () => {
    const bare = report({ suites: [suite('auth', 'passed')], tests: [test('auth', 'passed')], findings: [], gate: 'GO', gateReasons: ['1 suites passed, none failed'] });
    const html = toSignoffHtml(bare, { history: [] });
    const page = await browser!.newPage();
    await page.setContent(html);
    expect(await page.locator('#search .none').textContent()).toMatch(/no search metrics/);
    expect(await page.locator('#load .none').textContent()).toMatch(/no load/);
    expect(await page.locator('#selftest .none').textContent()).toMatch(/No selftest.json/);
    expect(await page.locator('#trend .none').textContent()).toMatch(/No earlier run/);
    expect(await page.locator('#findings .none').textContent()).toMatch(/No findings/);
    await page.close();
  });

  it('is printed to a PDF by Chromium, and skipped with the reason without one', async () => {
    const pdf = join(dir, 'signoff.pdf');
    const outcome = await printPdf(toSignoffHtml(report(), { history: [] }), pdf);
    expect(outcome).toMatchObject({ written: pdf });
    const bytes = readFileSync(pdf);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(10_000);
    const none = await printPdf('<p>x</p>', join(dir, 'none.pdf'), { SHIPGATE_CHROMIUM: join(dir, 'no-such-chrome') });
    expect(none).toEqual({ skipped: `SHIPGATE_CHROMIUM names ${join(dir, 'no-such-chrome')}, which does not exist` });
  });

  it('keeps at most HISTORY_KEEP runs, oldest removed first', () => {
    const h = mkdtempSync(join(tmpdir(), 'shipgate-history-'));
    for (let i = 0; i < HISTORY_KEEP + 3; i++) appendHistory(h, historyEntry(report({ startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() })));
    writeFileSync(join(h, 'history', 'notes.txt'), 'a user file');
    const kept = readHistory(h);
    expect(kept).toHaveLength(HISTORY_KEEP);
    expect(kept[0]!.startedAt).toBe('2026-01-01T00:00:03.000Z');
    expect(kept[0]).toMatchObject({ gate: 'NO-GO', findings: ['LOAD_THRESHOLD_BREACHED'], checks: { total: 6, passed: 4, failed: 1, skipped: 1 }, metrics: { 'load: p95 ms': 412.3, 'search-quality: MAP@10': 0.5 } });
    expect(readFileSync(join(h, 'history', 'notes.txt'), 'utf8')).toBe('a user file');
  });
});
