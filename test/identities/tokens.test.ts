import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { decodeClaims, describeAge, expiredAges, isJwt, signClaims, withAlgNone, withBadSignature, withTamperedClaims } from '../../harness/identities/tokens.ts';

const jwt = { algorithm: 'HS256' as const, secret: 'a-test-secret-of-enough-length-123', audience: 'authenticated', ttlSeconds: 600, clockSkewSeconds: 60 };
const key = new TextEncoder().encode(jwt.secret);
const verify = (token: string) => jwtVerify(token, key, { audience: 'authenticated', algorithms: ['HS256'] });

describe('token variants', () => {
  it('signs a token the target can verify, with a fresh jti and the audience', async () => {
    const token = await signClaims(jwt, { sub: 'u1', org_id: 'o1' });
    const { payload } = await verify(token);
    expect(payload).toMatchObject({ sub: 'u1', org_id: 'o1', aud: 'authenticated' });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.exp! - payload.iat!).toBe(600);
  });

  it('makes expired and wrong-audience tokens that a correct verifier refuses for that reason', async () => {
    const expired = await signClaims(jwt, { sub: 'u1' }, { expiresAt: Math.floor(Date.now() / 1000) - 60 });
    await expect(verify(expired)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
    const other = await signClaims(jwt, { sub: 'u1' }, { audience: 'elsewhere' });
    await expect(verify(other)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });
  });

  it('makes a token whose nbf is ahead, which a correct verifier refuses as not yet valid', async () => {
    const early = await signClaims(jwt, { sub: 'u1' }, { notBefore: Math.floor(Date.now() / 1000) + 3_600 });
    expect(decodeClaims(early).nbf).toBeGreaterThan(Date.now() / 1000);
    await expect(verify(early)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'nbf' });
  });

  it('sweeps expiry ages from just past the allowed skew to a day, never inside the skew', () => {
    expect(expiredAges(60)).toEqual([65, 120, 600, 3_600, 86_400]);
    expect(expiredAges(0)).toEqual([5, 120, 600, 3_600, 86_400]);
    expect(expiredAges(900)).toEqual([905, 3_600, 86_400]);
    expect(expiredAges(86_400)).toEqual([86_405]);
    expect(expiredAges(300).every((a) => a > 300)).toBe(true);
    expect([65, 120, 600, 3_600, 86_400].map(describeAge)).toEqual(['65 s', '2 min', '10 min', '1 h', '1 day']);
  });

  it('breaks the signature, the claims or the algorithm, each of which a correct verifier refuses', async () => {
    const token = await signClaims(jwt, { sub: 'u1', role: 'member' });
    await expect(verify(withBadSignature(token))).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    const tampered = withTamperedClaims(token, { role: 'admin' });
    expect(decodeClaims(tampered).role).toBe('admin');
    await expect(verify(tampered)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    await expect(verify(withAlgNone(token))).rejects.toThrow();
  });

  it('tells JWTs from opaque tokens', async () => {
    expect(isJwt(await signClaims(jwt, { sub: 'u' }))).toBe(true);
    expect(isJwt('opaque-session-token')).toBe(false);
    expect(isJwt('a.b.c')).toBe(false);
  });
});
