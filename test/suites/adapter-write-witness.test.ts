import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../harness/check/target.ts';
import type { Tenant } from '../../harness/identities/tenants.ts';
import type { AdapterEndpointProfile } from '../../harness/profile/schema.ts';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { writeWitness, type WriteWitness } from '../../suites/adapter-contracts/write-witness.ts';
import { execSql, testDatabaseServer } from '../support/postgres.ts';

let server: DatabaseServer;
let url: string;
beforeAll(async () => {
  server = await testDatabaseServer();
  url = await server.createDatabase('witness_test');
  await execSql(url, "CREATE TABLE captures (org_id text, body text); INSERT INTO captures VALUES ('org-1', 'a'), ('org-2', 'b'), ('org-2', 'c');");
});
afterAll(async () => {
  await server?.stop();
});

const tenant = (id: string) => ({ label: id, principal: { tenantId: id } }) as unknown as Tenant;

describe('the database write witness, with checks running side by side', () => {
  it("answers every tenant's snapshot right when many are asked at once, one query at a time on its one connection (pg would warn, and stop in pg 9)", async () => {
    const snapshot = 'SELECT count(*)::int AS rows, pg_sleep(0.02)::text AS waited FROM captures WHERE org_id = $1';
    const target = { profile: { adapters: { database: { url, snapshot } } }, context: {} } as unknown as Target;
    const witness = writeWitness(target, { observe: [] } as unknown as AdapterEndpointProfile) as WriteWitness;
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const ids = ['org-1', 'org-2', 'org-3', 'org-2', 'org-1', 'org-3'];
      const seen = await Promise.all(ids.map((id) => witness.snapshot(tenant(id), 0)));
      expect(seen.map((s) => (JSON.parse(s.value) as { rows: number }[])[0]!.rows)).toEqual([1, 2, 0, 2, 1, 0]);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => /already executing a query/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await witness.close();
    }
  });
});
