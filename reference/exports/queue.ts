import type pg from 'pg';
import type { Db } from '../db/transactions.ts';

/** An export as the worker sees it once claimed. */
export interface ClaimedExport {
  id: string;
  org_id: string;
  kind: string;
  attempts: number;
}

export interface Lease {
  workerId: string;
  leaseMs: number;
}

export type Claim = (pool: pg.Pool, lease: Lease) => Promise<ClaimedExport | undefined>;

const CLAIMED = 'id, org_id, kind, attempts';

/** One statement: the oldest queued export no other worker has locked, marked as ours. */
export const claimSkipLocked: Claim = async (pool, { workerId, leaseMs }) => {
  const { rows } = await pool.query<ClaimedExport>(
    `UPDATE public.exports AS x
        SET status = 'preparing', worker_id = $1, attempts = x.attempts + 1,
            claimed_at = now(), heartbeat_at = now(), lease_until = now() + make_interval(secs => $2 / 1000.0)
      WHERE x.id = (SELECT q.id FROM public.exports AS q WHERE q.status = 'queued'
                     ORDER BY q.created_at, q.id FOR UPDATE SKIP LOCKED LIMIT 1)
        AND x.status = 'queued'
      RETURNING ${CLAIMED}`,
    [workerId, leaseMs],
  );
  return rows[0];
};

// DEFECT export-double-claim: reads the oldest queued export, then marks it in a second statement with no row lock and no status check; two workers can both take it
export const claimSelectThenUpdate: Claim = async (pool, { workerId, leaseMs }) => {
  const next = await pool.query<{ id: string }>(`SELECT id FROM public.exports WHERE status = 'queued' ORDER BY created_at, id LIMIT 1`);
  const id = next.rows[0]?.id;
  if (id === undefined) return undefined;
  const { rows } = await pool.query<ClaimedExport>(
    `UPDATE public.exports AS x
        SET status = 'preparing', worker_id = $2, attempts = x.attempts + 1,
            claimed_at = now(), heartbeat_at = now(), lease_until = now() + make_interval(secs => $3 / 1000.0)
      WHERE x.id = $1
      RETURNING ${CLAIMED}`,
    [id, workerId, leaseMs],
  );
  return rows[0];
};

/** Extends the lease while the export is still ours; false when it is not (recovered by another worker). */
export async function heartbeat(pool: pg.Pool, exportId: string, { workerId, leaseMs }: Lease): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE public.exports SET heartbeat_at = now(), lease_until = now() + make_interval(secs => $3 / 1000.0)
      WHERE id = $1 AND worker_id = $2 AND status = 'preparing'`,
    [exportId, workerId, leaseMs],
  );
  return rowCount === 1;
}

/**
 * Stores the bundle, appends its ledger event and marks the export ready, in one transaction: a
 * worker killed at any point leaves either all of it or none. Exactly-once rests on the claim.
 */
export async function complete(
  db: Db,
  job: ClaimedExport,
  workerId: string,
  file: { bundle: unknown; manifest: { sha256: string; size_bytes: number }; text: string },
): Promise<void> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO public.export_files (export_id, org_id, worker_id, bundle, manifest, sha256, size_bytes)
     VALUES ($1, $2, $3, $4::text::jsonb, $5, $6, $7) RETURNING id`,
    [job.id, job.org_id, workerId, file.text, file.manifest, file.manifest.sha256, file.manifest.size_bytes],
  );
  const fileId = rows[0]!.id;
  await db.query(
    `INSERT INTO public.ledger_events (org_id, kind, subject_id, payload)
     VALUES ($1, 'export.generated', $2::uuid,
             jsonb_build_object('export_id', $2::uuid, 'file_id', $3::uuid, 'sha256', $4::text, 'worker_id', $5::text, 'attempt', $6::int))`,
    [job.org_id, job.id, fileId, file.manifest.sha256, workerId, job.attempts],
  );
  await db.query(
    `UPDATE public.exports SET status = 'ready', file_id = $2, completed_at = now(), lease_until = NULL WHERE id = $1`,
    [job.id, fileId],
  );
}

export type Recover = (pool: pg.Pool, o: { workerId: string; maxAttempts: number }) => Promise<string[]>;

/** Exports whose lease ended (their worker died or hung) go back to the queue, or fail after too many attempts. */
export const recoverExpiredLeases: Recover = async (pool, { maxAttempts }) => {
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE public.exports
        SET status = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'queued' END,
            error = CASE WHEN attempts >= $1 THEN 'its worker stopped ' || attempts || ' times' END,
            worker_id = NULL, lease_until = NULL, recovered_at = now(), recoveries = recoveries + 1
      WHERE status = 'preparing' AND lease_until < now()
      RETURNING id`,
    [maxAttempts],
  );
  return rows.map((r) => r.id);
};

// DEFECT no-stuck-recovery: only a restarted worker re-queues the exports it held itself, by its own id; a new worker (new id) never recovers a dead one's
export const recoverOwnOnly: Recover = async (pool, { workerId }) => {
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE public.exports SET status = 'queued', worker_id = NULL, lease_until = NULL, recovered_at = now(), recoveries = recoveries + 1
      WHERE status = 'preparing' AND worker_id = $1
      RETURNING id`,
    [workerId],
  );
  return rows.map((r) => r.id);
};
