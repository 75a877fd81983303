import type { TargetProfile } from './schema.ts';

/** HS256 keys shorter than the hash (32 bytes) are weak; shipgate tests the system as it is and says so. */
const STRONG_HS256_SECRET = 32;

/** What a profile allows but its user should know, one line each (never a secret's value). */
export function profileWarnings(profile: TargetProfile): string[] {
  const out: string[] = [];
  const secret = profile.identities?.jwt?.secret;
  if (secret !== undefined && secret.length < STRONG_HS256_SECRET) {
    out.push(
      `identities.jwt.secret is ${secret.length} characters: shipgate signs with it as the system does, but an HS256 secret shorter than ${STRONG_HS256_SECRET} characters can be guessed offline from one token (use 32 random bytes or more)`,
    );
  }
  return out;
}
