import type { Tenant, Tenants } from '../identities/tenants.ts';
import type { BurstIdentity } from './history.ts';

/**
 * Several identities of one tenant (its own token and fresh tokens for the same user), so a burst
 * comes from several callers. Without a way to mint tokens, the tenant's one token is reused.
 */
export async function tenantIdentities(tenants: Tenants, tenant: Tenant, count: number): Promise<BurstIdentity[]> {
  const out: BurstIdentity[] = [{ label: `${tenant.label}`, token: tenant.token }];
  for (let i = 2; i <= count; i++) {
    const token = await tenants.freshToken(tenant, `token ${i}`);
    out.push({ label: `${tenant.label} token ${i}`, token: token ?? tenant.token });
  }
  return out;
}
