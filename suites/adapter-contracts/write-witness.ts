import type pg from 'pg';
import { connectDatabase, fail, parseRoute, type AdapterEndpointProfile, type Evidence, type Target, type Tenant } from 'shipgate';

/** What a tenant's stored data looks like at one moment, as far as a failed call could change it. */
export interface Snapshot {
  value: string;
  evidence: Evidence;
}

/** How the suite sees whether a call wrote anything: the database when it can, else the API. */
export interface WriteWitness {
  /** In words, for the sign-off and findings. */
  how: string;
  snapshot(tenant: Tenant, instance: number): Promise<Snapshot>;
  close(): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function withoutFields(v: unknown, fields: Set<string>): unknown {
  if (Array.isArray(v)) return v.map((x) => withoutFields(x, fields));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).filter(([k]) => !fields.has(k)).map(([k, x]) => [k, withoutFields(x, fields)]));
  return v;
}

function snapshotFailed(sql: string, message: string): never {
  return fail({
    code: 'CHECK_PRECONDITION',
    title: `the adapters.database.snapshot query failed: ${message}`,
    promise: "the profile's snapshot SQL runs, read-only, with $1 = the tenant id",
    severity: 'high',
    evidence: [{ label: 'snapshot SQL', sql }],
  });
}

/** One read-only connection for the worker, opened on first use (its password registered with the redactor). */
let connection: Promise<pg.Client> | undefined;
/**
 * The end of the last snapshot query: checks run side by side, and one connection runs one query
 * at a time (pg queues more, but warns that it will stop), so each snapshot waits its turn. A
 * snapshot takes milliseconds; the trials' calls still overlap.
 */
let lastQuery: Promise<unknown> = Promise.resolve();

/** The profile's snapshot SQL over a read-only connection, `$1` = the tenant id. */
function databaseWitness(url: string, sql: string): WriteWitness {
  const db = () =>
    (connection ??= connectDatabase(url, 'the adapter-contracts write witness').then(async (client) => {
      await client.query('SET default_transaction_read_only = on');
      return client;
    }));
  return {
    how: 'the database (adapters.database.snapshot)',
    async snapshot(tenant) {
      let rows: unknown[];
      try {
        const query = lastQuery.then(async () => (await db()).query(sql, [tenant.principal.tenantId]));
        lastQuery = query.catch(() => undefined);
        rows = (await query).rows;
      } catch (err) {
        snapshotFailed(sql, (err as Error).message);
      }
      return { value: JSON.stringify(rows), evidence: { label: `${tenant.label}'s rows`, sql: sql.replace(/\$1/g, `'${tenant.principal.tenantId}'`), data: rows } };
    },
    async close() {
      const open = connection;
      connection = undefined;
      await open?.then((c) => c.end()).catch(() => {});
    },
  };
}

/** The endpoint's `observe` routes as the tenant sees them, volatile fields dropped. */
function apiWitness(routes: string[], volatileFields: string[]): WriteWitness {
  const volatile = new Set(volatileFields);
  return {
    how: `the API (${routes.join(', ')})`,
    async snapshot(tenant, instance) {
      const seen: unknown[] = [];
      for (const text of routes) {
        const route = parseRoute(text);
        const res = await tenant.client.send({ method: route.method, path: route.path, instance, label: `${tenant.label} looks at its data (${text})` });
        if (res.status < 200 || res.status > 299) {
          fail({
            code: 'CHECK_PRECONDITION',
            title: `${text} answered ${res.error ?? res.status} for ${tenant.label}, so writes cannot be observed`,
            promise: "the endpoint's observe routes answer 2xx",
            severity: 'high',
            evidence: [{ label: 'observe', exchange: res.exchange }],
          });
        }
        seen.push(withoutFields(res.json ?? res.text, volatile));
      }
      return { value: JSON.stringify(seen), evidence: { label: `${tenant.label}'s data through the API`, data: seen } };
    },
    async close() {},
  };
}

/** The witness for an endpoint, or why there is none. */
export function writeWitness(target: Target, spec: AdapterEndpointProfile): WriteWitness | { none: string } {
  const database = target.profile.adapters?.database;
  const url = database?.url ?? target.context.databaseUrl;
  if (database && url) return databaseWitness(url, database.snapshot);
  if (spec.observe.length > 0) return apiWitness(spec.observe, spec.volatileFields);
  return {
    none: database
      ? 'adapters.database.snapshot is given but there is no database URL (adapters.database.url, or a database shipgate provisions) and the endpoint has no observe routes'
      : 'neither adapters.database.snapshot nor observe routes for this endpoint',
  };
}
