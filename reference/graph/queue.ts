import type pg from 'pg';
import type { Db } from '../db/transactions.ts';

/** A job's id and where it is, as the message answer shows it. */
export interface GraphJobRef {
  id: string;
  status: string;
}

/**
 * Enqueues the graph extraction of a user message, in the caller's transaction: once per
 * conversation and text (the unique key decides, also between concurrent sends), so the same text
 * sent again gets the job it already has.
 */
export async function enqueueGraphJob(db: Db, orgId: string, conversationId: string, messageId: string, content: string): Promise<GraphJobRef> {
  await db.query(
    `INSERT INTO public.graph_jobs (org_id, conversation_id, message_id, content_hash)
     VALUES ($1, $2, $3, encode(sha256(convert_to($4, 'UTF8')), 'hex'))
     ON CONFLICT (org_id, conversation_id, content_hash) DO NOTHING`,
    [orgId, conversationId, messageId, content],
  );
  const { rows } = await db.query<GraphJobRef>(
    `SELECT id, status FROM public.graph_jobs
      WHERE org_id = $1 AND conversation_id = $2 AND content_hash = encode(sha256(convert_to($3, 'UTF8')), 'hex')`,
    [orgId, conversationId, content],
  );
  return rows[0]!;
}

/** A job as a worker holds it. */
export interface ClaimedGraphJob {
  id: string;
  org_id: string;
  conversation_id: string;
  message_id: string;
  attempts: number;
}

/** The oldest due job no other worker has locked, marked as this worker's until its lease ends. */
export async function claimGraphJob(pool: pg.Pool, workerId: string, leaseMs: number): Promise<ClaimedGraphJob | undefined> {
  const { rows } = await pool.query<ClaimedGraphJob>(
    `UPDATE public.graph_jobs AS j
        SET status = 'running', worker_id = $1, attempts = j.attempts + 1, lease_until = now() + make_interval(secs => $2 / 1000.0)
      WHERE j.id = (SELECT q.id FROM public.graph_jobs AS q WHERE q.status = 'queued' AND q.run_after <= now()
                     ORDER BY q.run_after, q.created_at, q.id FOR UPDATE SKIP LOCKED LIMIT 1)
        AND j.status = 'queued'
      RETURNING j.id, j.org_id, j.conversation_id, j.message_id, j.attempts`,
    [workerId, leaseMs],
  );
  return rows[0];
}

/**
 * Writes the graph and marks the job done in one transaction, fenced by the claim: a worker that
 * lost its lease writes nothing.
 */
export async function completeGraphJob(pool: pg.Pool, job: ClaimedGraphJob, workerId: string, graph: { nodes: string[]; edges: [string, string][] }): Promise<boolean> {
  const db = await pool.connect();
  try {
    await db.query('BEGIN');
    // The conversation first, as its DELETE takes them (the row, then its cascade to the jobs and the
    // graph): the job row first deadlocked a delete that ran while its message's graph was written.
    const parent = await db.query('SELECT 1 FROM public.conversations WHERE id = $1 AND org_id = $2 FOR KEY SHARE', [job.conversation_id, job.org_id]);
    const held =
      parent.rowCount === 1
        ? await db.query(`SELECT 1 FROM public.graph_jobs WHERE id = $1 AND worker_id = $2 AND status = 'running' AND attempts = $3 FOR UPDATE`, [job.id, workerId, job.attempts])
        : parent;
    if (held.rowCount !== 1) {
      await db.query('ROLLBACK');
      return false;
    }
    await db.query(
      `INSERT INTO public.graph_nodes (org_id, conversation_id, name) SELECT $1, $2, unnest($3::text[])
       ON CONFLICT (org_id, conversation_id, name) DO UPDATE SET mentions = public.graph_nodes.mentions + 1`,
      [job.org_id, job.conversation_id, graph.nodes],
    );
    await db.query(
      `INSERT INTO public.graph_edges (org_id, conversation_id, source, target) SELECT $1, $2, e.s, e.t FROM unnest($3::text[], $4::text[]) AS e (s, t)
       ON CONFLICT (org_id, conversation_id, source, target) DO UPDATE SET weight = public.graph_edges.weight + 1`,
      [job.org_id, job.conversation_id, graph.edges.map((e) => e[0]), graph.edges.map((e) => e[1])],
    );
    await db.query(
      `UPDATE public.graph_jobs SET status = 'done', nodes = $2, edges = $3, completed_at = now(), lease_until = NULL, last_error = NULL WHERE id = $1`,
      [job.id, graph.nodes.length, graph.edges.length],
    );
    await db.query('COMMIT');
    return true;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    db.release();
  }
}

/** A failed attempt: back to the queue after `baseMs * 2^(attempts - 1)`, or failed for good after the last attempt. */
export async function failGraphJob(pool: pg.Pool, job: ClaimedGraphJob, workerId: string, error: string, o: { baseMs: number; maxAttempts: number }): Promise<void> {
  await pool.query(
    `UPDATE public.graph_jobs
        SET status = CASE WHEN attempts >= $4 THEN 'failed' ELSE 'queued' END,
            run_after = now() + make_interval(secs => $5 * power(2, attempts - 1) / 1000.0),
            last_error = $3, worker_id = NULL, lease_until = NULL
      WHERE id = $1 AND worker_id = $2 AND status = 'running'`,
    [job.id, workerId, error.slice(0, 1_000), o.maxAttempts, o.baseMs],
  );
}

/**
 * Jobs whose worker died (their lease ended) go back to the queue, unless that was their last
 * attempt: a message that kills every worker that takes it must not kill them forever.
 */
export async function recoverGraphJobs(pool: pg.Pool, o: { maxAttempts: number }): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE public.graph_jobs
        SET status = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'queued' END,
            worker_id = NULL, lease_until = NULL, last_error = 'its worker stopped'
      WHERE status = 'running' AND lease_until < now()`,
    [o.maxAttempts],
  );
  return rowCount ?? 0;
}

/** The user message a job extracts from. */
export async function messageOf(pool: pg.Pool, job: ClaimedGraphJob): Promise<string | undefined> {
  const { rows } = await pool.query<{ content: string }>('SELECT content FROM public.messages WHERE id = $1 AND org_id = $2', [job.message_id, job.org_id]);
  return rows[0]?.content;
}
