import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { asCaller, asService, type Db } from '../db/transactions.ts';
import { notFound } from '../http/errors.ts';
import { parseInput } from '../http/validation.ts';

const HUB = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const patchBody = z
  .record(z.string().min(1).max(200), z.json())
  .refine((patch) => Object.keys(patch).length <= 100, 'at most 100 keys per merge');

type Params = { Params: { hub: string } };
type Data = Record<string, unknown>;
type Merge = (db: Db, orgId: string, hub: string, patch: Data) => Promise<Data>;

function hubName(raw: string): string {
  if (!HUB.test(raw)) throw notFound('preferences hub');
  return raw;
}

/** `data || patch` inside one statement: concurrent merges of different keys all survive. */
const mergeInDatabase: Merge = async (db, orgId, hub, patch) => {
  const { rows } = await db.query<{ data: Data }>(
    `INSERT INTO public.preference_hubs AS h (org_id, hub, data) VALUES ($1, $2, $3)
     ON CONFLICT (org_id, hub) DO UPDATE SET data = h.data || EXCLUDED.data
     RETURNING h.data`,
    [orgId, hub, patch],
  );
  return rows[0]!.data;
};

// DEFECT jsonb-overwrite: reads the document, merges in the app, writes the whole document back; concurrent merges overwrite each other
const readModifyWrite: Merge = async (db, orgId, hub, patch) => {
  const current = await db.query<{ data: Data }>('SELECT data FROM public.preference_hubs WHERE org_id = $1 AND hub = $2', [orgId, hub]);
  const merged = { ...(current.rows[0]?.data ?? {}), ...patch };
  const { rows } = await db.query<{ data: Data }>(
    `INSERT INTO public.preference_hubs AS h (org_id, hub, data) VALUES ($1, $2, $3)
     ON CONFLICT (org_id, hub) DO UPDATE SET data = EXCLUDED.data
     RETURNING h.data`,
    [orgId, hub, merged],
  );
  return rows[0]!.data;
};

const isObject = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(base: Data, patch: Data): Data {
  const out: Data = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = isObject(value) && isObject(out[key]) ? deepMerge(out[key] as Data, value) : value;
  return out;
}

// DEFECT jsonb-nested-overwrite: so that a nested preference keeps its other sub-keys, a patch with an object value is deep-merged in the app and the whole document written back; concurrent merges overwrite each other
const deepMergeInApp: Merge = async (db, orgId, hub, patch) => {
  if (!Object.values(patch).some(isObject)) return mergeInDatabase(db, orgId, hub, patch);
  const current = await db.query<{ data: Data }>('SELECT data FROM public.preference_hubs WHERE org_id = $1 AND hub = $2', [orgId, hub]);
  const { rows } = await db.query<{ data: Data }>(
    `INSERT INTO public.preference_hubs AS h (org_id, hub, data) VALUES ($1, $2, $3)
     ON CONFLICT (org_id, hub) DO UPDATE SET data = EXCLUDED.data
     RETURNING h.data`,
    [orgId, hub, deepMerge(current.rows[0]?.data ?? {}, patch)],
  );
  return rows[0]!.data;
};

// DEFECT preference-write-foreign: the merge was moved into the settings-sync batch, which runs as the service client: it updates the hub's document by hub name alone, and inserts the caller's own only when nothing was updated, so another org naming the same hub writes into this org's preferences
const mergeByHubAlone: Merge = async (db, orgId, hub, patch) => {
  const updated = await db.query<{ data: Data }>('UPDATE public.preference_hubs AS h SET data = h.data || $2 WHERE h.hub = $1 RETURNING h.data', [hub, patch]);
  if (updated.rows[0]) return updated.rows[0].data;
  const { rows } = await db.query<{ data: Data }>('INSERT INTO public.preference_hubs AS h (org_id, hub, data) VALUES ($1, $2, $3) RETURNING h.data', [orgId, hub, patch]);
  return rows[0]!.data;
};

// DEFECT preference-read-foreign: the read was moved onto the settings-sync worker's lookup (it warms a cache for every org), which runs as the service client and names the document by hub alone: another org naming the same hub reads this org's preferences
async function readHubOfAnyOrg(db: Db, hub: string): Promise<Data> {
  const { rows } = await db.query<{ data: Data }>('SELECT data FROM public.preference_hubs WHERE hub = $1 ORDER BY updated_at DESC LIMIT 1', [hub]);
  return rows[0]?.data ?? {};
}

export function registerPreferenceRoutes(app: FastifyInstance, { pool, auth, defects }: AppContext): void {
  const merge = defects.has('jsonb-overwrite') ? readModifyWrite : defects.has('jsonb-nested-overwrite') ? deepMergeInApp : mergeInDatabase;

  app.get<Params>('/v1/preferences/:hub', async (request) => {
    const caller = await auth.caller(request);
    const hub = hubName(request.params.hub);
    const data = defects.has('preference-read-foreign')
      ? await asService(pool, (db) => readHubOfAnyOrg(db, hub))
      : await asCaller(pool, caller, async (db) => {
          const { rows } = await db.query<{ data: Data }>('SELECT data FROM public.preference_hubs WHERE org_id = $1 AND hub = $2', [
            caller.orgId,
            hub,
          ]);
          return rows[0]?.data ?? {};
        });
    return { hub, data };
  });

  app.patch<Params>('/v1/preferences/:hub', async (request) => {
    const caller = await auth.caller(request);
    const hub = hubName(request.params.hub);
    const patch = parseInput(patchBody, request.body, 'preferences patch');
    const data = defects.has('preference-write-foreign')
      ? await asService(pool, (db) => mergeByHubAlone(db, caller.orgId, hub, patch))
      : await asCaller(pool, caller, (db) => merge(db, caller.orgId, hub, patch));
    return { hub, data };
  });
}
