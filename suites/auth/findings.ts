import type { Severity, TokenVariant } from 'shipgate';

/** A bad-token variant as this suite words it, and the code when it is accepted. */
export interface VariantInfo {
  words: string;
  acceptedCode: string;
  promise: string;
}

const FIXED: Record<Exclude<TokenVariant, 'revoked'>, VariantInfo> = {
  missing: { words: 'no token', acceptedCode: 'AUTH_MISSING_TOKEN_ACCEPTED', promise: 'A request without a token is refused with 401.' },
  malformed: { words: 'a malformed token', acceptedCode: 'AUTH_MALFORMED_TOKEN_ACCEPTED', promise: 'A malformed token is refused with 401.' },
  'bad-signature': {
    words: 'a token with a forged signature',
    acceptedCode: 'AUTH_BAD_SIGNATURE_ACCEPTED',
    promise: 'A token whose signature does not verify is refused with 401.',
  },
  tampered: {
    words: 'a token whose claims were edited after signing',
    acceptedCode: 'AUTH_TAMPERED_TOKEN_ACCEPTED',
    promise: 'A token whose claims were changed after signing is refused with 401.',
  },
  'alg-none': { words: "an unsigned 'alg: none' token", acceptedCode: 'AUTH_ALG_NONE_ACCEPTED', promise: "An unsigned ('alg: none') token is refused with 401." },
  expired: {
    words: 'an expired token',
    acceptedCode: 'AUTH_EXPIRED_TOKEN_ACCEPTED',
    promise: 'A token expired for longer than the clock skew the system allows (identities.jwt.clockSkewSeconds) is refused with 401, at every age.',
  },
  'not-yet-valid': {
    words: "a token whose nbf is still ahead",
    acceptedCode: 'AUTH_NOT_YET_VALID_ACCEPTED',
    promise: "A token used before its nbf (not before), by more than the clock skew the system allows, is refused with 401.",
  },
  'wrong-audience': {
    words: 'a token minted for another audience',
    acceptedCode: 'AUTH_WRONG_AUDIENCE_ACCEPTED',
    promise: 'A token minted for another audience is refused with 401.',
  },
};

/** A variant id: a fixed one, or `revoked:<way>` for each way the profile says a token dies. */
export type VariantId = Exclude<TokenVariant, 'revoked'> | `revoked:${string}`;

export function variantInfo(v: VariantId): VariantInfo {
  if (v.startsWith('revoked:')) {
    const way = v.slice('revoked:'.length);
    return { words: `a token revoked by ${way}`, acceptedCode: 'AUTH_REVOKED_TOKEN_ACCEPTED', promise: `A token revoked by ${way} is refused with 401 by every instance, on every route.` };
  }
  return FIXED[v as Exclude<TokenVariant, 'revoked'>];
}

export const FIXED_VARIANTS = Object.keys(FIXED) as Exclude<TokenVariant, 'revoked'>[];

export const AUTH_FINDINGS = {
  AUTH_WRONG_STATUS: { promise: "A refused token gets the policy's unauthenticated status (401), not another error.", severity: 'medium' },
  AUTH_SERVER_ERROR: { promise: 'A bad token is refused cleanly with 401, never a server error.', severity: 'high' },
  AUTH_ERROR_NOT_JSON: { promise: 'A 401 carries a JSON error body that says what was wrong.', severity: 'low' },
  AUTH_ERROR_LEAKS_DATA: { promise: 'A refused request returns no data.', severity: 'critical' },
  AUTH_VALID_TOKEN_REFUSED: { promise: 'A valid token is accepted (otherwise the refusals prove nothing).', severity: 'high' },
  AUTH_PUBLIC_BAD_TOKEN_TRUSTED: {
    promise: 'On a public (optional-auth) route a bad token is refused or treated exactly as anonymous: it never sees what the user it claims to be would see.',
    severity: 'critical',
  },
  AUTH_PUBLIC_BAD_TOKEN_STATUS: {
    promise: 'On a public route a bad token is refused with 401 or answered exactly as an anonymous call is.',
    severity: 'medium',
  },
  AUTH_BYPASS_IN_PRODUCTION: { promise: 'An auth bypass (AUTH_DISABLED) is refused at start-up in production.', severity: 'critical' },
  AUTH_BYPASS_REFUSAL_UNCLEAR: {
    promise: 'Refusing an auth bypass in production exits non-zero and names the variable, so the deploy fails visibly.',
    severity: 'low',
  },
} as const satisfies Record<string, { promise: string; severity: Severity }>;
