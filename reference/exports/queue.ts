import { randomUUID } from 'node:crypto';
import type pg from 'pg';

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

/** What a worker stores when it completes an export. */
export interface ProducedFile {
  bundle: unknown;
  manifest: { sha256: string; size_bytes: number };
  text: string;
  /** The hash the ledger event records (the manifest's, unless a defect says otherwise). */
  ledgerSha256: string;
}

/** Stores the bundle and its ledger event and marks the export ready; false when the worker no longer holds it. */
export type Complete = (pool: pg.Pool, job: ClaimedExport, workerId: string, file: ProducedFile) => Promise<boolean>;

const fileParams = (job: ClaimedExport, workerId: string, file: ProducedFile) => [
  job.id,
  workerId,
  job.attempts,
  randomUUID(),
  file.text,
  JSON.stringify(file.manifest),
  file.manifest.sha256,
  file.manifest.size_bytes,
  file.ledgerSha256,
];

/**
 * Completion fenced by the claim, in one statement: the export is marked ready only if this worker
 * still holds this attempt of it (a worker that stalled past its lease has lost it to lease
 * recovery, and another worker may have produced it since), and the file and ledger event are
 * written only for the row the fence returned. One statement, so a worker that stalls mid-way never
 * holds the export's row lock across round trips (which would block every other worker's recovery).
 */
export const completeFenced: Complete = async (pool, job, workerId, file) => {
  const { rows } = await pool.query(
    `WITH fenced AS (
       UPDATE public.exports SET status = 'ready', file_id = $4::uuid, completed_at = now(), lease_until = NULL
        WHERE id = $1 AND worker_id = $2 AND status = 'preparing' AND attempts = $3
        RETURNING id, org_id
     ), stored AS (
       INSERT INTO public.export_files (id, export_id, org_id, worker_id, bundle, manifest, sha256, size_bytes)
       SELECT $4::uuid, f.id, f.org_id, $2, $5::text::jsonb, $6::jsonb, $7, $8 FROM fenced AS f
       RETURNING id, export_id, org_id
     )
     INSERT INTO public.ledger_events (org_id, kind, subject_id, payload)
     SELECT s.org_id, 'export.generated', s.export_id,
            jsonb_build_object('export_id', s.export_id, 'file_id', s.id, 'sha256', $9::text, 'worker_id', $2::text, 'attempt', $3::int)
       FROM stored AS s
     RETURNING id`,
    fileParams(job, workerId, file),
  );
  return rows.length === 1;
};

/**
 * DEFECT completion-unfenced (also the completion of export-double-claim): marks the export ready
 * by its id alone, trusting the claim and the lost-lease flag the heartbeat sets; a worker that
 * stalled past its lease and resumes before its next heartbeat produces the export a second time.
 * With `ledgerOnce` (DEFECT export-double-claim-ledger-once) the ledger event is skipped when the
 * export already has one, so the ledger hides the second bundle that is stored all the same.
 */
export function completeUnfenced(o: { ledgerOnce: boolean }): Complete {
  const onConflict = o.ledgerOnce ? `ON CONFLICT ((payload->>'export_id')) WHERE kind = 'export.generated' DO NOTHING` : '';
  return async (pool, job, workerId, file) => {
    await pool.query(
      `WITH marked AS (
         UPDATE public.exports SET status = 'ready', file_id = $4::uuid, completed_at = now(), lease_until = NULL
          WHERE id = $1
          RETURNING id, org_id
       ), stored AS (
         INSERT INTO public.export_files (id, export_id, org_id, worker_id, bundle, manifest, sha256, size_bytes)
         SELECT $4::uuid, m.id, m.org_id, $2, $5::text::jsonb, $6::jsonb, $7, $8 FROM marked AS m
         RETURNING id, export_id, org_id
       )
       INSERT INTO public.ledger_events (org_id, kind, subject_id, payload)
       SELECT s.org_id, 'export.generated', s.export_id,
              jsonb_build_object('export_id', s.export_id, 'file_id', s.id, 'sha256', $9::text, 'worker_id', $2::text, 'attempt', $3::int)
         FROM stored AS s
       ${onConflict}`,
      fileParams(job, workerId, file),
    );
    return true;
  };
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
