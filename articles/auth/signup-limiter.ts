import { HttpError } from '../http/errors.ts';

/**
 * At most `limit` sign-ups and logins per fixed window, in this instance. Every attempt counts,
 * failed ones too: that is what slows down password guessing.
 */
export class SignupLimiter {
  private windowEnd = 0;
  private used = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt, or throws the 429 with `Retry-After` (whole seconds, at least 1). */
  take(): void {
    const now = this.now();
    if (now >= this.windowEnd) {
      this.windowEnd = now + this.windowMs;
      this.used = 0;
    }
    if (this.used >= this.limit) {
      const retryAfter = Math.max(1, Math.ceil((this.windowEnd - now) / 1000));
      throw new HttpError(429, { signup: ['too many sign-ups, retry later'] }, { 'retry-after': String(retryAfter) });
    }
    this.used += 1;
  }
}
