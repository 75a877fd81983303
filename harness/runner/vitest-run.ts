import { join, relative, sep } from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { startVitest } from 'vitest/node';
import type { Finding } from '../findings/finding.ts';
import type { ModuleTime, TestRecord } from '../report/model.ts';
import type { RunContext } from '../run/context.ts';
import type { StartupClock } from '../run/timings.ts';
import { checkTimeoutMs } from './check-timeout.ts';
import { moduleCacheDir } from './module-cache.ts';

export interface SuiteRunInput {
  /** The shipgate package root (holds `vitest.config.ts` and `suites/`). */
  root: string;
  suiteIds: string[];
  /** Suite files run at once, each in its own worker. */
  workers: number;
  context: RunContext;
  /** Print a line per suite file as it finishes. */
  progress?: (line: string) => void;
  /** Where the runner's start-up phases and the first check's start are recorded. */
  clock?: StartupClock;
  /** Where transformed modules are kept (see harness/runner/module-cache.ts); default the user's, if asked for. */
  moduleCacheDir?: string;
}

export interface SuiteRunOutput {
  tests: TestRecord[];
  /** Errors that belong to no check: a suite file that failed to load, a hook, an unhandled rejection. */
  errors: string[];
  /** When each suite file ran, and how long it took to load. */
  modules: ModuleTime[];
}

function suiteOf(root: string, file: string): string {
  const parts = relative(root, file).split(sep);
  return parts[0] === 'suites' && parts[1] ? parts[1] : parts.join('/');
}

function firstLines(text: string, n = 6): string {
  return text.split('\n').slice(0, n).join('\n');
}

function toRecord(root: string, t: TestCase): TestRecord {
  const r = t.result();
  const findings: Finding[] = t.meta().findings ?? [];
  const message = r.state === 'failed' ? r.errors.map((e) => firstLines(e.message ?? String(e))).join('\n') : undefined;
  return {
    suite: suiteOf(root, t.module.moduleId),
    name: t.name,
    fullName: t.fullName,
    status: r.state === 'failed' ? 'failed' : r.state === 'passed' ? 'passed' : 'skipped',
    durationMs: Math.round(t.diagnostic()?.duration ?? 0),
    ...(t.diagnostic()?.startTime !== undefined ? { startedMs: Math.round(t.diagnostic()!.startTime) } : {}),
    ...(r.state === 'skipped' && r.note ? { skipReason: r.note } : {}),
    ...(message ? { message } : {}),
    findings,
    sections: t.meta().sections ?? [],
    ...(t.meta().identities ? { identities: t.meta().identities } : {}),
    file: relative(root, t.module.moduleId),
  };
}

/** The time a file took to load: its environment, vitest's set-up, its imports and top-level code. */
function loadMs(m: TestModule): number {
  const d = m.diagnostic();
  return Math.round(d.environmentSetupDuration + d.prepareDuration + d.collectDuration + d.setupDuration);
}

/**
 * Collects every test and every error outside a test into shipgate's result model, and when each
 * suite file was queued and ended (in shipgate's own clock: files of one suite may run apart).
 */
class Collector implements Reporter {
  tests: TestRecord[] = [];
  errors: string[] = [];
  modules: ModuleTime[] = [];
  readonly #queued = new Map<string, number>();
  readonly #ended = new Map<string, number>();
  #firstCheck = false;
  constructor(
    private readonly root: string,
    private readonly progress?: (line: string) => void,
    private readonly clock?: StartupClock,
    private readonly startedAt = performance.now(),
  ) {}

  onTestModuleQueued(m: TestModule): void {
    const now = performance.now();
    // The runner is up once it hands out the first file.
    if (this.#queued.size === 0) this.clock?.record('test runner start (vitest, workers)', this.startedAt, now);
    this.#queued.set(m.moduleId, now);
  }

  onTestCaseReady(): void {
    if (!this.clock || this.#firstCheck) return;
    this.#firstCheck = true;
    const now = performance.now();
    this.clock.record('first suite file loaded (imports, profile, set-up)', Math.min(...this.#queued.values()), now);
    this.clock.firstCheck(now);
  }

  onTestModuleEnd(m: TestModule): void {
    this.#ended.set(m.moduleId, performance.now());
    const tests = [...m.children.allTests()];
    const count = (s: string) => tests.filter((t) => t.result().state === s).length;
    this.progress?.(
      `  ${relative(this.root, m.moduleId).padEnd(44)} ${String(count('passed')).padStart(4)} passed ${String(count('failed')).padStart(4)} failed ${String(count('skipped')).padStart(4)} skipped`,
    );
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<{ message?: string }>): void {
    for (const m of modules) {
      const file = relative(this.root, m.moduleId);
      for (const e of m.errors()) this.errors.push(`${file}: ${firstLines(e.message ?? String(e))}`);
      for (const s of m.children.allSuites()) {
        for (const e of s.errors()) this.errors.push(`${file} > ${s.fullName}: ${firstLines(e.message ?? String(e))}`);
      }
      for (const t of m.children.allTests()) this.tests.push(toRecord(this.root, t));
      const queuedMs = this.#queued.get(m.moduleId);
      if (queuedMs !== undefined) {
        this.modules.push({ suite: suiteOf(this.root, m.moduleId), file, queuedMs, endedMs: this.#ended.get(m.moduleId) ?? performance.now(), loadMs: loadMs(m) });
      }
    }
    for (const e of unhandled) this.errors.push(`unhandled: ${firstLines(e.message ?? String(e))}`);
  }
}

/**
 * Runs the chosen suites through vitest's Node API with the run context provided to every
 * worker. Vitest's own exit code handling is undone: the gate, not vitest, decides the exit.
 */
export async function runSuites(i: SuiteRunInput): Promise<SuiteRunOutput> {
  const collector = new Collector(i.root, i.progress, i.clock);
  const exitCode = process.exitCode;
  const cache = i.moduleCacheDir ?? moduleCacheDir();
  const vitest = await startVitest(
    'test',
    i.suiteIds.map((id) => join('suites', id) + '/'),
    {
      root: i.root,
      config: join(i.root, 'vitest.config.ts'),
      project: ['suites'],
      watch: false,
      reporters: [collector],
      provide: { shipgate: i.context },
      // Checks do more work with more generated cases: the time limit grows with them (hooks get
      // theirs in harness/check/worker-setup.ts: a hookTimeout given here never reaches the project).
      testTimeout: checkTimeoutMs(i.context.runs),
      maxWorkers: i.workers,
      passWithNoTests: false,
      ...(cache ? { experimental: { fsModuleCache: true, fsModuleCachePath: cache } } : {}),
    },
    { logLevel: 'silent' },
  );
  await vitest.close();
  process.exitCode = exitCode;
  return { tests: collector.tests, errors: collector.errors, modules: collector.modules };
}
