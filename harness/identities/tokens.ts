import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TargetProfile } from '../profile/schema.ts';

export type JwtProfile = NonNullable<NonNullable<TargetProfile['identities']>['jwt']>;

/** A bad-token variant the auth suite sends; each must be refused with the unauthenticated status. */
export type TokenVariant =
  | 'missing'
  | 'malformed'
  | 'bad-signature'
  | 'tampered'
  | 'alg-none'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-audience'
  | 'revoked';

export const TOKEN_VARIANTS: readonly TokenVariant[] = [
  'missing',
  'malformed',
  'bad-signature',
  'tampered',
  'alg-none',
  'expired',
  'not-yet-valid',
  'wrong-audience',
  'revoked',
];

const b64url = (s: string) => Buffer.from(s).toString('base64url');
const fromB64url = (s: string) => Buffer.from(s, 'base64url').toString('utf8');

export interface SignOverrides {
  expiresAt?: number;
  /** `nbf`, epoch seconds: a token not valid before then. */
  notBefore?: number;
  audience?: string;
  secret?: string;
}

/** Claims shipgate sets itself on every token it signs; a principal's own values for them are replaced. */
const REGISTERED = ['iat', 'exp', 'jti', 'aud', 'nbf'];

/** Signs claims the way the target's identity provider would (HS256), with a fresh `jti`. */
export async function signClaims(jwt: Omit<JwtProfile, 'clockSkewSeconds'>, claims: Record<string, unknown>, o: SignOverrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const own = Object.fromEntries(Object.entries(claims).filter(([k]) => !REGISTERED.includes(k)));
  const builder = new SignJWT(own)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setJti(randomUUID())
    .setExpirationTime(o.expiresAt ?? now + jwt.ttlSeconds);
  const audience = o.audience ?? jwt.audience;
  if (audience !== undefined) builder.setAudience(audience);
  if (o.notBefore !== undefined) builder.setNotBefore(o.notBefore);
  if (jwt.issuer) builder.setIssuer(jwt.issuer);
  return builder.sign(new TextEncoder().encode(o.secret ?? jwt.secret));
}

export function isJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  try {
    return typeof JSON.parse(fromB64url(parts[0] as string)) === 'object';
  } catch {
    return false;
  }
}

/** Same header and claims, signature from another key: proves the signature is checked. */
export function withBadSignature(token: string): string {
  const [h, p, s = ''] = token.split('.');
  // Flip the first signature character; any change must invalidate it.
  const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  return `${h}.${p}.${flipped}`;
}

/** Claims edited after signing (e.g. another tenant's id), signature kept: proves the payload is covered. */
export function withTamperedClaims(token: string, edit: Record<string, unknown>): string {
  const [h, p, s] = token.split('.');
  const claims = JSON.parse(fromB64url(p as string)) as Record<string, unknown>;
  return `${h}.${b64url(JSON.stringify({ ...claims, ...edit }))}.${s}`;
}

/** `alg: none` with no signature: the oldest JWT bypass. */
export function withAlgNone(token: string): string {
  const [, p] = token.split('.');
  return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${p}.`;
}

export function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(fromB64url(token.split('.')[1] as string)) as Record<string, unknown>;
}

/** The clock skew a system allows when it checks `exp` and `nbf`, unless the profile declares its own. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

/**
 * How long past `exp` the expired tokens of the sweep are: just past the allowed skew, then
 * minutes, an hour and a day, so a leeway of any size shows (a token inside the skew is never
 * judged: the system is allowed to accept it).
 */
export function expiredAges(skewSeconds: number): number[] {
  const ages = [skewSeconds + 5, 120, 600, 3_600, 86_400].filter((a) => a > skewSeconds);
  return [...new Set(ages)].sort((a, b) => a - b);
}

/** `65 s`, `2 min`, `1 h`, `1 day`: an age in words. */
export function describeAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 3_600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 3_600)} h`;
  const days = Math.round(seconds / 86_400);
  return `${days} day${days === 1 ? '' : 's'}`;
}

/**
 * A well-formed HS256 token for a user no system has, signed with a key nobody has: for a profile
 * with no way to get a valid token, the forged-signature and unsigned variants are made from it
 * (with the profile's audience and issuer when it names them, so only the signature is wrong).
 */
export function strangerToken(jwt?: Pick<JwtProfile, 'audience' | 'issuer' | 'ttlSeconds'>): Promise<string> {
  return signClaims(
    { algorithm: 'HS256', secret: randomBytes(32).toString('hex'), ttlSeconds: jwt?.ttlSeconds ?? 900, ...(jwt?.audience ? { audience: jwt.audience } : {}), ...(jwt?.issuer ? { issuer: jwt.issuer } : {}) },
    { sub: `shipgate-probe-${randomUUID()}`, role: 'authenticated' },
  );
}
