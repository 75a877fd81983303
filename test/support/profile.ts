import { expect } from 'vitest';
import { ProfileError, validateProfile } from '../../harness/profile/load.ts';

/** The smallest profile the schema accepts: a base URL and a way to make tenants. */
export function minimalProfile(kind: 'ephemeral' | 'staging' | 'production', baseUrl: string) {
  return {
    name: 'api',
    kind,
    http: { baseUrls: [baseUrl] },
    identities: { newTenant: async () => ({ tenantId: 't', token: 'x' }) },
  };
}

/** What validation says is wrong with `input`, as `path: message` lines; throws if it is accepted. */
export function profileProblems(input: unknown): string[] {
  try {
    validateProfile(input, 'shipgate.config.ts');
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    return (err as ProfileError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('the profile was accepted');
}
