import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { captureRequestV1, type CaptureV1 } from '../../contracts/api/capture.ts';
import type { FallbackReason } from '../../contracts/common.ts';
import {
  extractedEntity,
  extractedNote,
  extractedTask,
  extractStructuredUpdatesV1,
  type ExtractStructuredUpdatesV1,
} from '../../contracts/provider/extract-structured-updates.ts';
import type { AppContext } from '../context.ts';
import { asCaller, type Caller, type Db } from '../db/transactions.ts';
import { todayUtc } from '../http/dates.ts';
import { notFound } from '../http/errors.ts';
import { resourceId } from '../http/resource-id.ts';
import { parseInput } from '../http/validation.ts';
import type { ChatMessage, ProviderClient } from '../provider/client.ts';
import { prompts } from '../provider/prompts.ts';

const OP = 'extract_structured_updates';

/** Nothing was stored: the caller can send the same thought again. */
function fallback(reason: FallbackReason): CaptureV1 {
  return { capture_id: null, fallback: true, fallback_reason: reason, tasks: [], notes: [], entities: [] };
}

const RETURN_TASK = `RETURNING id, title, to_char(due_date, 'YYYY-MM-DD') AS due_date, priority`;

async function insertCapture(db: Db, orgId: string, text: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>('INSERT INTO public.captures (org_id, text) VALUES ($1, $2) RETURNING id', [orgId, text]);
  return rows[0]!.id;
}

async function insertTasks(db: Db, orgId: string, captureId: string, tasks: ExtractStructuredUpdatesV1['tasks']): Promise<CaptureV1['tasks']> {
  if (tasks.length === 0) return [];
  const { rows } = await db.query(
    `INSERT INTO public.tasks (org_id, capture_id, title, due_date, priority)
     SELECT $1, $2, t.title, t.due_date::date, t.priority FROM jsonb_to_recordset($3::jsonb) AS t (title text, due_date text, priority smallint)
     ${RETURN_TASK}`,
    [orgId, captureId, JSON.stringify(tasks)],
  );
  return rows as CaptureV1['tasks'];
}

async function insertNotes(db: Db, orgId: string, captureId: string, notes: ExtractStructuredUpdatesV1['notes']): Promise<CaptureV1['notes']> {
  const out: CaptureV1['notes'] = [];
  for (const note of notes) {
    const { rows } = await db.query<CaptureV1['notes'][number]>(
      'INSERT INTO public.notes (org_id, capture_id, text, tags) VALUES ($1, $2, $3, $4) RETURNING id, text, tags',
      [orgId, captureId, note.text, note.tags],
    );
    out.push(rows[0]!);
  }
  return out;
}

async function insertEntities(db: Db, orgId: string, captureId: string, entities: ExtractStructuredUpdatesV1['entities']): Promise<CaptureV1['entities']> {
  if (entities.length === 0) return [];
  const { rows } = await db.query(
    `INSERT INTO public.entities (org_id, capture_id, name, kind, confidence)
     SELECT $1, $2, e.name, e.kind, e.confidence FROM jsonb_to_recordset($3::jsonb) AS e (name text, kind text, confidence float8)
     RETURNING id, name, kind, confidence::float8 AS confidence`,
    [orgId, captureId, JSON.stringify(entities)],
  );
  return rows as CaptureV1['entities'];
}

/** The validated answer, stored in one transaction: all of it or nothing. */
async function storeCapture(pool: pg.Pool, caller: Caller, text: string, extracted: ExtractStructuredUpdatesV1): Promise<CaptureV1> {
  return asCaller(pool, caller, async (db) => {
    const id = await insertCapture(db, caller.orgId, text);
    return {
      capture_id: id,
      fallback: false,
      fallback_reason: null,
      tasks: await insertTasks(db, caller.orgId, id, extracted.tasks),
      notes: await insertNotes(db, caller.orgId, id, extracted.notes),
      entities: await insertEntities(db, caller.orgId, id, extracted.entities),
    };
  });
}

// DEFECT adapter-partial-write: the capture is stored first, then each part of the answer is checked only when its turn comes and written at once in its own transaction
async function storeWhileReading(provider: ProviderClient, pool: pg.Pool, caller: Caller, text: string, messages: ChatMessage[]): Promise<CaptureV1> {
  const answer = await provider.chatJsonUnchecked(OP, extractStructuredUpdatesV1, messages, { user: caller.orgId });
  if (!answer.ok) return fallback(answer.reason);
  const id = await asCaller(pool, caller, (db) => insertCapture(db, caller.orgId, text));
  const parts = (answer.value ?? {}) as Record<string, unknown>;
  const tasks = z.array(extractedTask).safeParse(parts.tasks);
  if (!tasks.success) return fallback('provider_invalid_output');
  const storedTasks = await asCaller(pool, caller, (db) => insertTasks(db, caller.orgId, id, tasks.data));
  const notes = z.array(extractedNote).safeParse(parts.notes);
  if (!notes.success) return fallback('provider_invalid_output');
  const storedNotes = await asCaller(pool, caller, (db) => insertNotes(db, caller.orgId, id, notes.data));
  const entities = z.array(extractedEntity).safeParse(parts.entities);
  if (!entities.success) return fallback('provider_invalid_output');
  const storedEntities = await asCaller(pool, caller, (db) => insertEntities(db, caller.orgId, id, entities.data));
  return { capture_id: id, fallback: false, fallback_reason: null, tasks: storedTasks, notes: storedNotes, entities: storedEntities };
}

export function registerCaptureRoutes(app: FastifyInstance, { pool, auth, provider, defects }: AppContext): void {
  app.post('/v1/capture/thought', async (request): Promise<CaptureV1> => {
    const caller = await auth.caller(request);
    const { text } = parseInput(captureRequestV1, request.body, 'capture');
    const messages = prompts.extractStructuredUpdates(text, todayUtc());
    if (defects.has('adapter-partial-write')) return storeWhileReading(provider, pool, caller, text, messages);
    const extracted = await provider.chatJson(OP, extractStructuredUpdatesV1, messages, { user: caller.orgId });
    if (!extracted.ok) return fallback(extracted.reason);
    return storeCapture(pool, caller, text, extracted.value);
  });

  app.get('/v1/captures', async (request) => {
    const caller = await auth.caller(request);
    const items = await asCaller(pool, caller, async (db) => {
      const { rows } = await db.query(
        `SELECT c.id, c.text, to_jsonb(c.created_at) #>> '{}' AS created_at,
           coalesce((SELECT jsonb_agg(jsonb_build_object('id', t.id, 'title', t.title, 'due_date', to_char(t.due_date, 'YYYY-MM-DD'), 'priority', t.priority) ORDER BY t.created_at, t.id)
                     FROM public.tasks AS t WHERE t.capture_id = c.id AND t.org_id = $1), '[]') AS tasks,
           coalesce((SELECT jsonb_agg(jsonb_build_object('id', n.id, 'text', n.text, 'tags', to_jsonb(n.tags)) ORDER BY n.created_at, n.id)
                     FROM public.notes AS n WHERE n.capture_id = c.id AND n.org_id = $1), '[]') AS notes,
           coalesce((SELECT jsonb_agg(jsonb_build_object('id', e.id, 'name', e.name, 'kind', e.kind, 'confidence', e.confidence::float8) ORDER BY e.created_at, e.id)
                     FROM public.entities AS e WHERE e.capture_id = c.id AND e.org_id = $1), '[]') AS entities
         FROM public.captures AS c WHERE c.org_id = $1
         ORDER BY c.created_at DESC, c.id DESC LIMIT 100`,
        [caller.orgId],
      );
      return rows;
    });
    return { items };
  });

  // Its tasks, notes and entities go with it; a plan item that named one of its tasks keeps its title, unlinked.
  app.delete<{ Params: { id: string } }>('/v1/captures/:id', async (request, reply) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, 'capture');
    const { rowCount } = await asCaller(pool, caller, (db) => db.query('DELETE FROM public.captures WHERE id = $1 AND org_id = $2', [id, caller.orgId]));
    if (rowCount !== 1) throw notFound('capture');
    return reply.code(204).send();
  });
}
