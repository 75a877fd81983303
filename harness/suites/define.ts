import { describe, inject, vi } from 'vitest';
import type { TargetProfile } from '../profile/schema.ts';
import { check, type CheckContext } from '../check/check.ts';

export type TargetKind = TargetProfile['kind'];

export interface SuiteSpec {
  /** Stable id: the folder name under `suites/`, used by `--suite`, gates and DEFECTS.md. */
  id: string;
  title: string;
  /** The promise this suite verifies, in one sentence, for the sign-off. */
  promise: string;
  /** The environment kinds the suite is safe to run against. */
  kinds: readonly TargetKind[];
  /** Whether its checks call the API (a run probes the base URLs only when some suite that does runs). */
  usesApi: boolean;
  /**
   * Its checks use the database alone (the profile's URL, or the database shipgate provisioned),
   * never a launched service: a run of such suites alone starts the database and the setup steps,
   * and neither the services nor the provider double. Leave it out when a check starts services.
   */
  databaseOnly?: boolean;
  /** Why the suite cannot run against this profile (a missing capability), or undefined when it can. */
  notApplicable(profile: TargetProfile): string | undefined;
  /**
   * The command that runs it: `verify` (with nightly and selftest), the default; `smoke` (only
   * `shipgate smoke`, against a deployed system); or `load` (`shipgate load` and `shipgate
   * nightly`, after every other suite and alone, since a load run skews every timing beside it).
   */
  runBy?: 'verify' | 'smoke' | 'load';
  /**
   * Whether its checks may run while other suites' checks run against the same target. `'shared'`
   * when they neither disturb what other suites use (database faults, frozen or killed processes,
   * a restarted service) nor judge what other suites' traffic would change (database round trips
   * a probe causes, a latency or throughput); otherwise `{ alone: why }`, and the run gives it the
   * target to itself, after the shared suites. Required: a suite's author decides, never a default.
   */
  sharing: 'shared' | { alone: string };
}

export interface Suite extends SuiteSpec {
  /** Declares a check of this suite (a test whose failures become findings). */
  check(name: string, body: (c: CheckContext) => Promise<void>, timeoutMs?: number): void;
  /**
   * A group of checks (declared by `declare`) that run concurrently with each other and with the
   * other concurrent groups of its file, at most `atOnce` at a time: the run's
   * `RunContext.concurrentChecks` unless given (outside a run, with no context, one at a time).
   * Each check keeps its own evidence, clean-up and refusals; what the checks share on the system
   * (a tenant, a stored row a witness compares) is the suite's to keep apart. A check declared
   * outside any group after them runs once they are all done.
   */
  concurrently(name: string, declare: () => void, atOnce?: number): void;
  /** The reason the suite does not apply to this profile, including an unsafe target kind. */
  applicability(profile: TargetProfile): string | undefined;
}

/** Declares a suite in `suites/<id>/suite.ts`; the runner discovers it there, no central list to edit. */
export function defineSuite(spec: SuiteSpec): Suite {
  return {
    runBy: 'verify',
    ...spec,
    check: (name, body, timeoutMs) => check(spec.id, name, body, timeoutMs),
    concurrently: (name, declare, atOnce) => {
      // Vitest's maxConcurrency for this file: given to startVitest it stops at the root config and
      // never reaches the suites project (not one of the options vitest passes on), so the file sets it.
      vi.setConfig({ maxConcurrency: atOnce ?? inject('shipgate')?.concurrentChecks ?? 1 });
      describe.concurrent(name, declare);
    },
    applicability(profile) {
      if (spec.usesApi && !profile.http.baseUrls && !profile.launch) {
        return 'it calls the API and the profile has neither http.baseUrls nor a launch block (a database-only profile)';
      }
      if (!spec.kinds.includes(profile.kind)) {
        return `runs only against ${spec.kinds.join(' or ')} targets; this one is '${profile.kind}'`;
      }
      return spec.notApplicable(profile);
    },
  };
}
