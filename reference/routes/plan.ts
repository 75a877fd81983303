import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { planReadParamsV1, planRefreshRequestV1, type PlanV1 } from '../../contracts/api/plan.ts';
import type { FallbackReason } from '../../contracts/common.ts';
import { plannedItem, rewritePlanV1, type RewritePlanV1 } from '../../contracts/provider/rewrite-plan.ts';
import type { AppContext } from '../context.ts';
import { asCaller, type Caller, type Db } from '../db/transactions.ts';
import { todayUtc } from '../http/dates.ts';
import { notFound } from '../http/errors.ts';
import { parseInput } from '../http/validation.ts';
import type { ChatMessage, ProviderClient } from '../provider/client.ts';
import { prompts } from '../provider/prompts.ts';

const OP = 'rewrite_plan';

type OpenTask = { id: string; title: string; priority: number; due_date: string | null };

async function readPlan(db: Db, orgId: string, date: string): Promise<PlanV1> {
  const plan = await db.query<{ summary: string; generated_at: string }>(
    `SELECT summary, to_jsonb(generated_at) #>> '{}' AS generated_at FROM public.plans WHERE org_id = $1 AND plan_date = $2`,
    [orgId, date],
  );
  const items = await db.query<PlanV1['items'][number]>(
    'SELECT position, title, minutes, priority, task_id FROM public.plan_items WHERE org_id = $1 AND plan_date = $2 ORDER BY position',
    [orgId, date],
  );
  const row = plan.rows[0];
  return { date, items: items.rows, summary: row?.summary ?? '', generated_at: row?.generated_at ?? null, fallback: false, fallback_reason: null };
}

async function insertPlan(db: Db, orgId: string, date: string, summary: string): Promise<void> {
  await db.query('INSERT INTO public.plans (org_id, plan_date, summary) VALUES ($1, $2, $3)', [orgId, date, summary]);
}

async function insertItem(db: Db, orgId: string, date: string, position: number, item: RewritePlanV1['today_plan'][number], openIds: Set<string>): Promise<void> {
  await db.query('INSERT INTO public.plan_items (org_id, plan_date, position, title, minutes, priority, task_id) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    orgId,
    date,
    position,
    item.title,
    item.minutes,
    item.priority,
    // A task id the planner was not given is unlinked rather than trusted.
    item.task_id !== null && openIds.has(item.task_id) ? item.task_id : null,
  ]);
}

async function fallbackPlan(pool: pg.Pool, caller: Caller, date: string, reason: FallbackReason): Promise<PlanV1> {
  const stored = await asCaller(pool, caller, (db) => readPlan(db, caller.orgId, date));
  return { ...stored, fallback: true, fallback_reason: reason };
}

// DEFECT adapter-partial-write: the stored plan is deleted first, then each item of the answer is checked and inserted on its own as it is read
async function replaceWhileReading(provider: ProviderClient, pool: pg.Pool, caller: Caller, date: string, messages: ChatMessage[], openIds: Set<string>): Promise<PlanV1> {
  const answer = await provider.chatJsonUnchecked(OP, rewritePlanV1, messages, { user: caller.orgId });
  if (!answer.ok) return fallbackPlan(pool, caller, date, answer.reason);
  const parts = (answer.value ?? {}) as Record<string, unknown>;
  await asCaller(pool, caller, (db) => db.query('DELETE FROM public.plans WHERE org_id = $1 AND plan_date = $2', [caller.orgId, date]));
  const summary = z.string().max(2_000).safeParse(parts.summary);
  await asCaller(pool, caller, (db) => insertPlan(db, caller.orgId, date, summary.success ? summary.data : ''));
  const items = Array.isArray(parts.today_plan) ? parts.today_plan : [];
  for (const [i, raw] of items.entries()) {
    const item = plannedItem.safeParse(raw);
    if (!item.success) return fallbackPlan(pool, caller, date, 'provider_invalid_output');
    await asCaller(pool, caller, (db) => insertItem(db, caller.orgId, date, i + 1, item.data, openIds));
  }
  if (!summary.success || !Array.isArray(parts.today_plan)) return fallbackPlan(pool, caller, date, 'provider_invalid_output');
  return asCaller(pool, caller, (db) => readPlan(db, caller.orgId, date));
}

// DEFECT pact-breaking-rename: today's plan, reshaped for the dashboard, calls its items today_plan like the planner does
function renamedForDashboard({ items, ...plan }: PlanV1): Omit<PlanV1, 'items'> & { today_plan: PlanV1['items'] } {
  return { ...plan, today_plan: items };
}

export function registerPlanRoutes(app: FastifyInstance, { pool, auth, provider, defects }: AppContext): void {
  app.post('/v1/plan/refresh', async (request): Promise<PlanV1> => {
    const caller = await auth.caller(request);
    const input = parseInput(planRefreshRequestV1, request.body ?? {}, 'plan refresh');
    const date = input.date ?? todayUtc();
    const open = await asCaller(pool, caller, async (db) => {
      const { rows } = await db.query<OpenTask>(
        `SELECT id, title, priority, to_char(due_date, 'YYYY-MM-DD') AS due_date FROM public.tasks
          WHERE org_id = $1 AND status = 'open' ORDER BY priority, created_at, id LIMIT 50`,
        [caller.orgId],
      );
      return rows;
    });
    const openIds = new Set(open.map((t) => t.id));
    const messages = prompts.rewritePlan(input.focus, date, open);
    if (defects.has('adapter-partial-write')) return replaceWhileReading(provider, pool, caller, date, messages, openIds);
    const planned = await provider.chatJson(OP, rewritePlanV1, messages, { user: caller.orgId });
    if (!planned.ok) return fallbackPlan(pool, caller, date, planned.reason);
    // The old plan and the new one swap in one transaction: a reader sees one or the other.
    return asCaller(pool, caller, async (db) => {
      await db.query('DELETE FROM public.plans WHERE org_id = $1 AND plan_date = $2', [caller.orgId, date]);
      await insertPlan(db, caller.orgId, date, planned.value.summary);
      for (const [i, item] of planned.value.today_plan.entries()) await insertItem(db, caller.orgId, date, i + 1, item, openIds);
      return readPlan(db, caller.orgId, date);
    });
  });

  const todayView = defects.has('pact-breaking-rename') ? renamedForDashboard : (plan: PlanV1) => plan;
  app.get('/v1/plan/today', async (request) => {
    const caller = await auth.caller(request);
    return todayView(await asCaller(pool, caller, (db) => readPlan(db, caller.orgId, todayUtc())));
  });

  // One day by date: a plan refreshed for a given date reads back the same whatever day it is now.
  app.get<{ Params: { date: string } }>('/v1/plan/:date', async (request): Promise<PlanV1> => {
    const caller = await auth.caller(request);
    const { date } = parseInput(planReadParamsV1, request.params, 'plan date');
    return asCaller(pool, caller, (db) => readPlan(db, caller.orgId, date));
  });

  // Drops one day's plan and its items (the tasks they were made from stay).
  app.delete<{ Params: { date: string } }>('/v1/plan/:date', async (request, reply) => {
    const caller = await auth.caller(request);
    const { date } = parseInput(planReadParamsV1, request.params, 'plan date');
    const { rowCount } = await asCaller(pool, caller, (db) => db.query('DELETE FROM public.plans WHERE org_id = $1 AND plan_date = $2', [caller.orgId, date]));
    if (rowCount !== 1) throw notFound('plan');
    return reply.code(204).send();
  });
}
