import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../harness/profile/load.ts';
import { profileProblems } from '../support/profile.ts';

const httpOnly = { name: 'api', kind: 'staging', http: { baseUrls: ['https://api.example.com'] }, protectedRoutes: ['GET /me'] } as const;

describe('http-only partial targets', () => {
  it('accepts http and protectedRoutes alone, and identities that only say how tokens travel', () => {
    expect(validateProfile(httpOnly, 'x').identities).toBeUndefined();
    expect(validateProfile({ ...httpOnly, identities: { transport: { header: 'X-API-Key' } } }, 'x').identities?.transport).toEqual({ header: 'X-API-Key' });
  });

  it('still refuses, naming what needs a tenant, whatever is checked as one', () => {
    expect(profileProblems({ ...httpOnly, tenantOverride: { header: 'x-org' } })).toEqual([
      'identities: tenantOverride is checked through the API as tenants: say how shipgate gets a tenant and its token (identities.newTenant or identities.tenants)',
    ]);
    expect(profileProblems({ ...httpOnly, identities: { revocations: { logout: async () => undefined } } })).toEqual([
      'identities.newTenant: give newTenant (a hook that creates a tenant) or tenants (at least two pre-seeded ones): identities.revocations needs a tenant',
    ]);
    expect(profileProblems({ ...httpOnly, resources: { doc: { create: { route: 'POST /docs' } } }, identities: { transport: { scheme: 'Token' } } })).toEqual([
      'identities.newTenant: give newTenant (a hook that creates a tenant) or tenants (at least two pre-seeded ones): resources needs a tenant',
    ]);
  });
});
