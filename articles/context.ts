import type pg from 'pg';
import type { Authenticator } from './auth/authenticator.ts';
import type { SignupLimiter } from './auth/signup-limiter.ts';
import type { Tokens } from './auth/tokens.ts';

/** What every route module gets: built once per app by buildApp. */
export interface AppContext {
  pool: pg.Pool;
  auth: Authenticator;
  tokens: Tokens;
  signups: SignupLimiter;
  defects: ReadonlySet<string>;
}
