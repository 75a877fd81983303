/** The exit code is the gate: pipelines read it, so these numbers never change. */
export const EXIT = {
  /** GO: every applicable suite passed. */
  go: 0,
  /** NO-GO: a promise is broken (or nothing could be verified). */
  noGo: 1,
  /** Usage or configuration error: bad option, bad profile, missing variable. */
  usage: 2,
  /** The target (or its database) could not be reached or started. */
  unreachable: 3,
} as const;

/** A mistake in how shipgate was called; the message says what to do instead. */
export class UsageError extends Error {}
