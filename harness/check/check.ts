import { test, type TestContext } from 'vitest';
import { runBurst, type BurstRequest } from '../concurrency/burst.ts';
import { BurstLog, RACE_REPLAY_NOTE } from '../concurrency/burst-log.ts';
import type { History } from '../concurrency/history.ts';
import { fail, FindingError, type Finding, type ReportSection } from '../findings/finding.ts';
import { precondition } from '../findings/raise.ts';
import { HookError } from '../profile/hook-result.ts';
import { forAll } from '../generate/property.ts';
import { seededSample, type Sample } from '../generate/sample.ts';
import { Recording } from '../http/recorder.ts';
import { redactor } from '../http/redact.ts';
import { cleanUp } from '../resources/cleanup.ts';
import { ReadOnlyTargetError, refusalCount, refusalsSince } from '../safety/refusals.ts';
import type fc from 'fast-check';
import { inCheckScope, type CheckScope } from './check-scope.ts';
import { useTarget, type Target } from './target.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** Findings raised by this check (the runner reads them into the report). */
    findings?: Finding[];
    /** Measurements for the sign-off (see CheckContext.report). */
    sections?: ReportSection[];
    /** Identities the check made (sign-ups, members, role holders), and how many sign-ups were answered 429 and retried. */
    identities?: { made: number; throttled: number };
  }
}

export interface CheckContext {
  target: Target;
  /** Seeded values for bodies outside a property. */
  sample: Sample;
  recording: Recording;
  /** Marks the check as not applicable to this target, with the reason shown in the report. */
  notApplicable(reason: string): never;
  /** Adds a measurement (a table or a line) to the suite's part of the sign-off. */
  report(section: ReportSection): void;
  /** Runs `body` over generated cases (seeded; the seed and case are in any finding). */
  forAll<T>(arb: fc.Arbitrary<T>, body: (value: T) => Promise<void>, o?: { runs?: number; shrink?: boolean }): Promise<void>;
  /**
   * Sends `requests` together to the target's instances (see `runBurst`) and returns the history.
   * Every burst goes into the sign-off under `title` (departure spread, raced keys, keys answered
   * before the release). A check where more than a tenth of the raced keys got an answer before all
   * their requests were released (something answered incomplete requests) ends inconclusive
   * (`CHECK_PRECONDITION`), never passed. The client cannot see whether the system worked on the
   * requests at the same time: the departure spread only says how tightly they were released.
   */
  burst<M>(title: string, requests: BurstRequest<M>[]): Promise<History<M>>;
}

/** Each file's identity counts as far as its checks have reported them. */
const countedUpTo = new WeakMap<object, { made: number; throttled: number }>();

/**
 * The identities made since the last check that ended reported its own, taken when a check ends:
 * with checks running concurrently, every identity is counted once (by the first check to end
 * after it was made), so the run's total stays exact. Identities a file made while its checks
 * were collected count too.
 */
function identitiesSinceLastCount(tenants: Target['tenants']): { made: number; throttled: number } {
  const now = tenants.counts;
  const before = countedUpTo.get(tenants) ?? { made: 0, throttled: 0 };
  countedUpTo.set(tenants, now);
  return { made: now.made - before.made, throttled: now.throttled - before.throttled };
}

/** A thrown error that is not a finding still fails the check, and still reaches the report as one. */
export function asFinding(err: unknown, recording: Recording): Finding {
  if (err instanceof FindingError) {
    const f = err.finding;
    return f.evidence.length > 0 ? f : { ...f, evidence: recording.last(3).map((x) => ({ label: 'last exchange', exchange: x })) };
  }
  const e = err as Error;
  if (err instanceof HookError) {
    return {
      code: 'PROFILE_HOOK_INVALID',
      title: `a profile hook failed, so the check could not run: ${e.message.split('\n')[0]}`,
      promise: "the profile's hooks return what their fields document (docs/profile.md)",
      severity: 'high',
      evidence: [{ label: `${err.hook}`, text: e.message }, ...recording.last(3).map((x) => ({ label: 'last exchange', exchange: x }))],
    };
  }
  return {
    code: 'CHECK_ERROR',
    title: `the check could not run: ${e.message.split('\n')[0]}`,
    promise: 'every applicable check runs to a verdict',
    severity: 'high',
    evidence: [
      { label: 'error', text: e.message },
      ...recording.last(3).map((x) => ({ label: 'last exchange', exchange: x })),
    ],
  };
}

/**
 * Declares one check: a vitest test whose failures become findings (code, evidence, seed) in
 * the report. The suite id comes from the suite folder; the runner fills it in. Its recording,
 * clean-up and refusals are its own (an async scope, see check-scope.ts), also when checks of a
 * `describe.concurrent` block run side by side.
 */
export function check(suite: string, name: string, body: (c: CheckContext) => Promise<void>, timeoutMs?: number): void {
  test(
    name,
    async (ctx: TestContext) => {
      const target = await useTarget();
      const scope: CheckScope = { recording: new Recording(), removals: target.profile.kind !== 'ephemeral' ? [] : undefined, ended: false };
      try {
        return await inCheckScope(scope, () => runCheck(ctx, suite, name, target, scope, body));
      } finally {
        scope.ended = true;
      }
    },
    timeoutMs,
  );
}

async function runCheck(ctx: TestContext, suite: string, name: string, target: Target, scope: CheckScope, body: (c: CheckContext) => Promise<void>): Promise<void> {
  const { recording, removals } = scope;
  const seed = target.context.seed;
  const bursts = new BurstLog();
  const refusalMark = refusalCount();
  // A check that needed a write on a read-only target verified nothing: it is not applicable,
  // with the refusal as the reason, whether its body let the refusal through or swallowed it.
  const notApplicableIfRefused = () => {
    const refused = refusalsSince(refusalMark, scope);
    if (refused.length > 0) ctx.skip(`not applicable: ${refused[0]}`);
  };
  const c: CheckContext = {
    target,
    sample: seededSample(seed),
    recording,
    report: (section) => {
      ctx.task.meta.sections = [...(ctx.task.meta.sections ?? []), redactor.scrubDeep(section)];
    },
    notApplicable: (reason) => {
      ctx.skip(`not applicable: ${reason}`);
      throw new Error('unreachable: skip throws');
    },
    forAll: (arb, fn, o = {}) =>
      forAll(arb, fn, {
        seed,
        name: `${suite}/${name}`,
        runs: o.runs ?? target.context.runs,
        ...(o.shrink !== undefined ? { shrink: o.shrink } : {}),
        replay: target.replay(suite),
      }),
    burst: async (title, requests) => {
      const history = await runBurst(requests, { baseUrls: target.context.baseUrls, timeoutMs: target.profile.http.timeoutMs, warmPath: target.profile.http.probePath, transport: target.profile.identities?.transport });
      bursts.add(title, history);
      return history;
    },
  };
  try {
    await body(c);
    const shortfall = bursts.shortfall();
    notApplicableIfRefused();
    if (shortfall) precondition({ title: `the race was not tried: ${shortfall}`, needs: 'the system answers the requests of a burst only once they are complete (is something between shipgate and the system answering early?)' });
  } catch (err) {
    if ((err as { code?: string }).code === 'VITEST_PENDING') throw err; // a skip, not a failure
    notApplicableIfRefused();
    // A refusal met by an earlier check and shared with this one (a fixture made once per file).
    if (err instanceof ReadOnlyTargetError) ctx.skip(`not applicable: ${err.message}`);
    const found = { ...asFinding(err, recording) };
    if (!bursts.empty && found.seed !== undefined) found.replayNote = RACE_REPLAY_NOTE;
    // Scrubbed here, where the tokens are known: the main process only sees the result.
    const finding = redactor.scrubDeep({ ...found, suite, check: name });
    ctx.task.meta.findings = [...(ctx.task.meta.findings ?? []), finding];
    throw err instanceof FindingError ? new FindingError(finding) : err;
  } finally {
    ctx.task.meta.identities = identitiesSinceLastCount(target.tenants);
    for (const section of bursts.sections()) c.report(section);
    const leftBehind = removals ? await cleanUp(removals) : [];
    if (leftBehind.length > 0) c.report({ title: 'clean-up: items shipgate created and could not remove', text: leftBehind.join('\n') });
  }
}

export { fail };
