import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { asCaller } from '../db/transactions.ts';
import { listRuns, tryClaim, tryClaimAdvanceLastRun, tryClaimCheckThenInsert } from '../jobs/try-claim.ts';
import { notFound } from '../http/errors.ts';
import { parseInput } from '../http/validation.ts';

const JOB_ID = /^[A-Za-z0-9._:-]{1,200}$/;
const claimBody = z.object({ scheduled_for: z.iso.datetime({ offset: true }) });

type Params = { Params: { job: string } };

function jobId(raw: string): string {
  if (!JOB_ID.test(raw)) throw notFound('job');
  return raw;
}

/** Scheduled job runs: every instance's scheduler may claim the same run; exactly one wins. */
export function registerJobRoutes(app: FastifyInstance, { pool, auth, defects }: AppContext): void {
  const claim = defects.has('claim-race') ? tryClaimCheckThenInsert : defects.has('claim-last-run-only') ? tryClaimAdvanceLastRun : tryClaim;

  app.post<Params>('/v1/jobs/:job/claim', async (request) => {
    const caller = await auth.caller(request);
    const job = jobId(request.params.job);
    const { scheduled_for } = parseInput(claimBody, request.body, 'claim');
    const run = await asCaller(pool, caller, (db) =>
      claim(db, { orgId: caller.orgId, userId: caller.userId, jobId: job, scheduledFor: scheduled_for }),
    );
    return { claimed: run !== undefined, run: run ?? null };
  });

  app.get<Params>('/v1/jobs/:job/runs', async (request) => {
    const caller = await auth.caller(request);
    const job = jobId(request.params.job);
    const items = await asCaller(pool, caller, (db) => listRuns(db, caller.orgId, job));
    return { items };
  });
}
