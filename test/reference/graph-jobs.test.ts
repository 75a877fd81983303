import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { runMigrations } from '../../reference/db/migrations.ts';
import { extractGraph } from '../../reference/graph/extract.ts';
import { claimGraphJob, completeGraphJob, enqueueGraphJob, failGraphJob, recoverGraphJobs } from '../../reference/graph/queue.ts';
import { testDatabaseServer } from '../support/postgres.ts';

describe("the reference's graph extraction of a message", () => {
  it('takes runs of capitalised words as names, not the words that merely start a sentence, and links every pair', () => {
    expect(extractGraph('We met Ana and Ben Okafor about the Q3 Roadmap. The budget moved; Ana agreed.')).toEqual({
      nodes: ['Ana', 'Ben Okafor', 'Q3 Roadmap'],
      edges: [
        ['Ana', 'Ben Okafor'],
        ['Ana', 'Q3 Roadmap'],
        ['Ben Okafor', 'Q3 Roadmap'],
      ],
    });
    expect(extractGraph('nothing named here')).toEqual({ nodes: [], edges: [] });
  });

  it('keeps the first 500 pairs of a message naming thousands, without building the rest', () => {
    const names = Array.from({ length: 3_000 }, (_, i) => `Person${String(i).padStart(4, '0')}`);
    const graph = extractGraph(`met ${names.join(' and ')}`);
    expect(graph.nodes).toHaveLength(3_000);
    expect(graph.edges).toHaveLength(500);
    expect(graph.edges[0]).toEqual(['Person0000', 'Person0001']);
    expect(graph.edges[499]).toEqual(['Person0000', 'Person0500']);
  });
});

describe("the reference's graph job queue", () => {
  let server: DatabaseServer;
  let pool: pg.Pool;
  let org: string;
  let conversation: string;

  beforeAll(async () => {
    server = await testDatabaseServer();
    const url = await server.createDatabase('graph_jobs');
    await runMigrations({ databaseUrl: url, defects: new Set(), print: () => {} });
    pool = new pg.Pool({ connectionString: url, max: 2 });
    // The server stops after the pool ends, but a connection's goodbye may still be on its way then.
    pool.on('error', () => {});
    org = (await pool.query<{ id: string }>(`INSERT INTO public.orgs (name) VALUES ('org') RETURNING id`)).rows[0]!.id;
    conversation = (await pool.query<{ id: string }>('INSERT INTO public.conversations (org_id, title) VALUES ($1, $2) RETURNING id', [org, 'chat'])).rows[0]!.id;
  });
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });

  const message = async (content: string) =>
    (await pool.query<{ id: string }>(`INSERT INTO public.messages (org_id, conversation_id, role, content) VALUES ($1, $2, 'user', $3) RETURNING id`, [org, conversation, content])).rows[0]!.id;
  const enqueue = async (content: string) => {
    const db = await pool.connect();
    try {
      return await enqueueGraphJob(db, org, conversation, await message(content), content);
    } finally {
      db.release();
    }
  };
  const job = async (id: string) =>
    (await pool.query<{ status: string; attempts: number; wait_ms: number; nodes: number }>(
      `SELECT status, attempts, nodes, round(extract(epoch FROM run_after - now()) * 1000)::int AS wait_ms FROM public.graph_jobs WHERE id = $1`,
      [id],
    )).rows[0]!;

  it('enqueues one job per conversation and text: the same text sent again gets the job it has', async () => {
    const first = await enqueue('Ana meets Ben');
    const again = await enqueue('Ana meets Ben');
    const other = await enqueue('Ana meets Carla');
    expect(again).toEqual(first);
    expect(other.id).not.toBe(first.id);
    expect(first.status).toBe('queued');
  });

  it('writes the graph and marks the job done only while the claim is held', async () => {
    const claimed = (await claimGraphJob(pool, 'w1', 5_000))!;
    expect(claimed.attempts).toBe(1);
    expect(await completeGraphJob(pool, { ...claimed, attempts: 99 }, 'w1', { nodes: ['X'], edges: [] })).toBe(false); // a stale claim writes nothing
    expect(await completeGraphJob(pool, claimed, 'w1', extractGraph('Ana meets Ben'))).toBe(true);
    expect(await job(claimed.id)).toMatchObject({ status: 'done', nodes: 2 });
    const { rows } = await pool.query('SELECT name, mentions FROM public.graph_nodes WHERE conversation_id = $1 ORDER BY name', [conversation]);
    expect(rows).toEqual([
      { name: 'Ana', mentions: 1 },
      { name: 'Ben', mentions: 1 },
    ]);
  });

  it('retries a failed attempt after an exponential backoff, and fails the job for good after the last attempt', async () => {
    const claimed = (await claimGraphJob(pool, 'w1', 5_000))!;
    await failGraphJob(pool, claimed, 'w1', 'boom', { baseMs: 60_000, maxAttempts: 2 });
    const first = await job(claimed.id);
    expect(first.status).toBe('queued');
    expect(first.wait_ms).toBeGreaterThan(55_000); // 60 s after the first failure: not due yet
    expect(await claimGraphJob(pool, 'w1', 5_000)).toBeUndefined();
    await pool.query('UPDATE public.graph_jobs SET run_after = now() WHERE id = $1', [claimed.id]);
    const second = (await claimGraphJob(pool, 'w2', 5_000))!;
    expect(second).toMatchObject({ id: claimed.id, attempts: 2 });
    await failGraphJob(pool, second, 'w2', 'boom again', { baseMs: 60_000, maxAttempts: 2 });
    expect(await job(claimed.id)).toMatchObject({ status: 'failed', attempts: 2 });
  });

  it("sends a dead worker's job back to the queue once its lease ends", async () => {
    const { id } = await enqueue('Dana calls Eve');
    const claimed = (await claimGraphJob(pool, 'dead-worker', 1))!;
    expect(claimed.id).toBe(id);
    await pool.query(`UPDATE public.graph_jobs SET lease_until = now() - interval '1 second' WHERE id = $1`, [id]);
    expect(await recoverGraphJobs(pool, { maxAttempts: 3 })).toBe(1);
    expect((await claimGraphJob(pool, 'w3', 5_000))?.id).toBe(id);
  });

  it("fails for good a job whose worker died on its last attempt (a message that kills every worker stops)", async () => {
    const { id } = await enqueue('Fay calls Gus');
    await claimGraphJob(pool, 'dead-worker', 1);
    await pool.query(`UPDATE public.graph_jobs SET lease_until = now() - interval '1 second' WHERE id = $1`, [id]);
    expect(await recoverGraphJobs(pool, { maxAttempts: 1 })).toBe(1);
    expect(await job(id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await claimGraphJob(pool, 'w4', 5_000)).toBeUndefined();
  });
});
