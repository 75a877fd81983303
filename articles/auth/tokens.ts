import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { isId, MAX_ID } from '../http/ids.ts';
import { unauthorized } from './token-error.ts';

export const TOKEN_LIFETIME_S = 3_600;
/** Clock skew tolerated on `exp` (and `nbf`) between instances. */
const LEEWAY_S = 5;

/** What a verified token says; the caller still checks it against the database. */
export interface TokenClaims {
  userId: number;
  ver: number;
  jti: string;
  exp: number;
}

const claimsSchema = z.object({
  sub: z.string().refine(isId),
  ver: z.number().int().min(1).max(MAX_ID),
  jti: z.uuid(),
  exp: z.number(),
});

export interface TokenSubject {
  id: number;
  username: string;
  tokenVersion: number;
}

/** HS256 tokens: `{ sub, username, ver, jti, iat, exp }`, no `aud` (one is ignored if present). */
export class Tokens {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(user: TokenSubject): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ username: user.username, ver: user.tokenVersion })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(user.id))
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + TOKEN_LIFETIME_S)
      .sign(this.key);
  }

  /** Signature (HS256 only), expiry and claim shapes; throws the 401 that names the problem. */
  async verify(token: string): Promise<TokenClaims> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], clockTolerance: LEEWAY_S }));
    } catch (err) {
      throw unauthorized(problemOf(err));
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw unauthorized('invalid');
    const { sub, ver, jti, exp } = claims.data;
    return { userId: Number(sub), ver, jti, exp };
  }
}

function problemOf(err: unknown): 'malformed' | 'invalid' | 'expired' {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (
    err instanceof errors.JWSSignatureVerificationFailed ||
    err instanceof errors.JOSEAlgNotAllowed ||
    err instanceof errors.JWTClaimValidationFailed
  ) {
    return 'invalid';
  }
  // Anything else (not three parts, bad base64, a header or payload that is not JSON...) is a
  // malformed credential, whatever jose threw: a token string never causes a 500.
  return 'malformed';
}
