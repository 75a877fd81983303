import { isView } from './catalog.ts';
import { probe, type ProbeEnv } from './rls-probes.ts';
import { quoteIdent } from './session.ts';
import type { TenantRelation } from './tenant-relations.ts';

export interface RollbackCheck {
  /** Every throw-away tenant whose rows were looked for: the ones given, and those of its own probes. */
  tenantIds: string[];
  /** Tenant tables that still hold rows of those tenants, and how many. */
  left: { relation: string; rows: number }[];
}

/**
 * Whether any row a probe made outlived its rolled-back transaction. It first runs a probe of its
 * own in every tenant table (org A's user, SELECT), so it has rows to look for even when no other
 * probe ran before it (a run filtered to this one check); `known` adds the tenants of those that did.
 */
export async function rowsOutlivingProbes(env: ProbeEnv, relations: TenantRelation[], known: Iterable<string> = []): Promise<RollbackCheck> {
  const tables = relations.filter((t) => !isView(t.relation));
  const ids = new Set(known);
  for (const t of tables) {
    // A probe that cannot run here fails its own check; this one only needs the rows of those that can.
    const r = await probe(env, t, 'select', 'user').catch(() => undefined);
    for (const id of r?.tenantIds ?? []) ids.add(id);
  }
  const left: RollbackCheck['left'] = [];
  if (ids.size > 0) {
    for (const t of tables) {
      const { rows } = await env.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${t.relation.sql} AS t WHERE t.${quoteIdent(t.column.name)}::text = ANY($1::text[])`,
        [[...ids]],
      );
      const n = rows[0]?.n ?? 0;
      if (n > 0) left.push({ relation: t.relation.display, rows: n });
    }
  }
  return { tenantIds: [...ids], left };
}
