import { compactVerify, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { ApiError, unauthorized } from '../http/errors.ts';
import { isUuid } from '../http/resource-id.ts';

/** What a verified access token says about its bearer. */
export interface TokenClaims {
  sub: string;
  jti: string;
  email: string | null;
  /** Absent on the first-login token, before sync-user has created the org. */
  orgId: string | null;
}

export type TokenVerifier = (token: string) => Promise<TokenClaims>;

const ALGORITHMS = ['HS256'];

const claimsSchema = z.object({
  sub: z.string().min(1),
  jti: z.string().min(1),
  email: z.string().nullish(),
  org_id: z.string().refine(isUuid).nullish(),
});

/** Verifies HS256 bearer tokens; throws the 401 ApiError that names what is wrong. */
export function createTokenVerifier(options: {
  secret: string;
  audience: string;
  defects: ReadonlySet<string>;
}): TokenVerifier {
  const key = new TextEncoder().encode(options.secret);
  const audience = options.defects.has('wrong-audience')
    ? undefined // DEFECT wrong-audience: the expected audience is never passed, so any `aud` is accepted
    : options.audience;

  // DEFECT expiry-leeway: clock drift between the identity provider and the API once refused fresh logins, and the tolerance chosen to silence it was a quarter of an hour, so tokens live 15 minutes past their exp
  const clockTolerance = options.defects.has('expiry-leeway') ? '15 minutes' : 0;
  const verifyPayload = options.defects.has('expired-token')
    ? (token: string) => verifySignatureOnly(token, key, audience)
    : options.defects.has('not-before-ignored')
      ? (token: string) => verifyWithoutNotBefore(token, key, audience)
      : async (token: string) =>
        (await jwtVerify(token, key, { algorithms: ALGORITHMS, audience, clockTolerance, requiredClaims: ['sub', 'jti', 'exp'] }))
          .payload;

  return async (token) => {
    let payload: unknown;
    try {
      payload = await verifyPayload(token);
    } catch (err) {
      throw toAuthError(err);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw unauthorized('token_malformed', 'token claims are missing or invalid');
    const { sub, jti, email, org_id } = claims.data;
    return { sub, jti, email: email ?? null, orgId: org_id?.toLowerCase() ?? null };
  };
}

// DEFECT expired-token: verifies the signature and the audience by hand but never looks at `exp`
async function verifySignatureOnly(token: string, key: Uint8Array, audience: string | undefined): Promise<unknown> {
  const { payload } = await compactVerify(token, key, { algorithms: ALGORITHMS });
  let claims: { aud?: unknown } | null;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload)) as { aud?: unknown } | null;
  } catch {
    claims = null;
  }
  if (typeof claims !== 'object' || claims === null) {
    throw unauthorized('token_malformed', 'token is not a well-formed JWT');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (audience !== undefined && !audiences.includes(audience)) {
    throw unauthorized('token_wrong_audience', 'token was issued for another audience');
  }
  return claims;
}

// DEFECT not-before-ignored: the hand-written verifier kept from a library migration checks the signature, the audience and `exp`, but never `nbf`, so a token minted for a later start works at once
async function verifyWithoutNotBefore(token: string, key: Uint8Array, audience: string | undefined): Promise<unknown> {
  const claims = (await verifySignatureOnly(token, key, audience)) as { exp?: unknown };
  if (typeof claims.exp !== 'number') throw unauthorized('token_malformed', 'token claim "exp" is missing or invalid');
  if (claims.exp <= Math.floor(Date.now() / 1000)) throw unauthorized('token_expired', 'token has expired');
  return claims;
}

function toAuthError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof errors.JWTExpired) return unauthorized('token_expired', 'token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    return err.claim === 'aud'
      ? unauthorized('token_wrong_audience', 'token was issued for another audience')
      : unauthorized('token_malformed', `token claim "${err.claim}" is missing or invalid`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return unauthorized('token_invalid_signature', 'token signature is invalid');
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return unauthorized('token_invalid_signature', 'token must be signed with HS256');
  }
  if (err instanceof errors.JOSEError) return unauthorized('token_malformed', 'token is not a well-formed JWT');
  throw err;
}
