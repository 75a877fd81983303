import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { asCaller, asService } from '../db/transactions.ts';
import { listRuns, listRunsOfAnyOrg, tryClaim, tryClaimAdvanceLastRun, tryClaimCheckThenInsert } from '../jobs/try-claim.ts';
import { invalidRequest, notFound } from '../http/errors.ts';
import { parseInput } from '../http/validation.ts';

const JOB_ID = /^[A-Za-z0-9._:-]{1,200}$/;
const claimBody = z.object({ scheduled_for: z.iso.datetime({ offset: true }) });
// DEFECT claim-time-driver-message (1 of 2): "schedulers send times in every format", so any text is taken and PostgreSQL reads it
const claimBodyAnyTime = z.object({ scheduled_for: z.string().min(1) });

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
    const anyTime = defects.has('claim-time-driver-message');
    const { scheduled_for } = parseInput(anyTime ? claimBodyAnyTime : claimBody, request.body, 'claim');
    try {
      const run = await asCaller(pool, caller, (db) =>
        claim(db, { orgId: caller.orgId, userId: caller.userId, jobId: job, scheduledFor: scheduled_for }),
      );
      return { claimed: run !== undefined, run: run ?? null };
    } catch (err) {
      // DEFECT claim-time-driver-message (2 of 2): a time PostgreSQL cannot read is a client error, answered with the database's own words
      if (anyTime && err instanceof pg.DatabaseError && err.code?.startsWith('22')) throw invalidRequest(err.message);
      throw err;
    }
  });

  app.get<Params>('/v1/jobs/:job/runs', async (request) => {
    const caller = await auth.caller(request);
    const job = jobId(request.params.job);
    const items = defects.has('job-run-foreign')
      ? await asService(pool, (db) => listRunsOfAnyOrg(db, job))
      : await asCaller(pool, caller, (db) => listRuns(db, caller.orgId, job));
    return { items };
  });
}
