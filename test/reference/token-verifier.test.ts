import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../reference/auth/token-verifier.ts';
import { ApiError } from '../../reference/http/errors.ts';

const SECRET = 'test-secret-test-secret-test-secret';
const AUDIENCE = 'authenticated';
const now = () => Math.floor(Date.now() / 1000);

function sign(claims: Record<string, unknown>, { aud = AUDIENCE, exp = now() + 600, secret = SECRET, nbf = undefined as number | undefined } = {}) {
  return new SignJWT({ sub: 'user-1', ...claims, ...(nbf !== undefined ? { nbf } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience(aud)
    .setJti(randomUUID())
    .setIssuedAt(exp - 600)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
}

function unsigned(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sub: 'user-1', jti: 'j', aud: AUDIENCE, exp: now() + 600 })}.`;
}

async function errorCode(verify: (token: string) => Promise<unknown>, token: string): Promise<string> {
  try {
    await verify(token);
  } catch (err) {
    if (err instanceof ApiError) return err.code;
    throw err;
  }
  return 'accepted';
}

const verifier = (...defects: string[]) =>
  createTokenVerifier({ secret: SECRET, audience: AUDIENCE, defects: new Set(defects) });

describe('reference token verification', () => {
  it('returns the claims of a valid token', async () => {
    const orgId = randomUUID();
    const claims = await verifier()(await sign({ email: 'a@example.test', org_id: orgId }));
    expect(claims).toMatchObject({ sub: 'user-1', email: 'a@example.test', orgId });
  });

  it.each([
    ['token_expired', () => sign({}, { exp: now() - 60 })],
    ['token_malformed', () => sign({}, { nbf: now() + 3_600, exp: now() + 7_200 })],
    ['token_wrong_audience', () => sign({}, { aud: 'another-api' })],
    ['token_invalid_signature', () => sign({}, { secret: 'another-secret-another-secret-another' })],
    ['token_invalid_signature', async () => unsigned()],
    ['token_malformed', async () => 'not.a.jwt'],
    ['token_malformed', () => sign({ org_id: 'not-a-uuid' })],
  ])('refuses with %s', async (code, token) => {
    expect(await errorCode(verifier(), await token())).toBe(code);
  });

  it('with expired-token, accepts an expired token but still checks signature and audience', async () => {
    const verify = verifier('expired-token');
    expect(await errorCode(verify, await sign({}, { exp: now() - 60 }))).toBe('accepted');
    expect(await errorCode(verify, await sign({}, { aud: 'another-api' }))).toBe('token_wrong_audience');
    expect(await errorCode(verify, unsigned())).toBe('token_invalid_signature');
  });

  it('with wrong-audience, accepts any audience but still checks expiry', async () => {
    const verify = verifier('wrong-audience');
    expect(await errorCode(verify, await sign({}, { aud: 'another-api' }))).toBe('accepted');
    expect(await errorCode(verify, await sign({}, { exp: now() - 60 }))).toBe('token_expired');
  });

  it('with not-before-ignored, accepts a token before its nbf but still checks expiry, signature and audience', async () => {
    const verify = verifier('not-before-ignored');
    expect(await errorCode(verify, await sign({}, { nbf: now() + 3_600, exp: now() + 7_200 }))).toBe('accepted');
    expect(await errorCode(verify, await sign({}, { exp: now() - 60 }))).toBe('token_expired');
    expect(await errorCode(verify, await sign({}, { aud: 'another-api' }))).toBe('token_wrong_audience');
    expect(await errorCode(verify, unsigned())).toBe('token_invalid_signature');
  });
});
