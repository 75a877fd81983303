import type { Db } from '../db/transactions.ts';

export interface JobRun {
  id: string;
  job_id: string;
  scheduled_for: string;
  claimed_by: string;
  claimed_at: string;
}

/** Claims the run of `jobId` at `scheduledFor` for the caller's org; `undefined` when another claim won. */
export type TryClaim = (db: Db, o: { orgId: string; userId: string; jobId: string; scheduledFor: string }) => Promise<JobRun | undefined>;

const RUN_COLUMNS = `id, job_id, to_jsonb(scheduled_for) #>> '{}' AS scheduled_for, claimed_by, to_jsonb(claimed_at) #>> '{}' AS claimed_at`;

/** The unique (org, job, time) key decides: of any number of concurrent inserts, one returns a row. */
export const tryClaim: TryClaim = async (db, o) => {
  const { rows } = await db.query<JobRun>(
    `INSERT INTO public.job_runs (org_id, job_id, scheduled_for, claimed_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT ON CONSTRAINT job_runs_once DO NOTHING
     RETURNING ${RUN_COLUMNS}`,
    [o.orgId, o.jobId, o.scheduledFor, o.userId],
  );
  return rows[0];
};

// DEFECT claim-race: looks for an existing run, then inserts; concurrent claims all see none and all win
export const tryClaimCheckThenInsert: TryClaim = async (db, o) => {
  const existing = await db.query('SELECT 1 FROM public.job_runs WHERE org_id = $1 AND job_id = $2 AND scheduled_for = $3', [
    o.orgId,
    o.jobId,
    o.scheduledFor,
  ]);
  if ((existing.rowCount ?? 0) > 0) return undefined;
  const { rows } = await db.query<JobRun>(
    `INSERT INTO public.job_runs (org_id, job_id, scheduled_for, claimed_by) VALUES ($1, $2, $3, $4) RETURNING ${RUN_COLUMNS}`,
    [o.orgId, o.jobId, o.scheduledFor, o.userId],
  );
  return rows[0];
};

// DEFECT claim-last-run-only: one row per job holding its latest run; a claim wins if it moves the
// time forward. Concurrent claims of one time still make one winner, but a later time overwrites an
// earlier run (which then never shows as run), and an earlier time claimed after a later one never wins.
export const tryClaimAdvanceLastRun: TryClaim = async (db, o) => {
  const { rows } = await db.query<JobRun>(
    `INSERT INTO public.job_runs AS r (org_id, job_id, scheduled_for, claimed_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT ON CONSTRAINT job_runs_last
     DO UPDATE SET scheduled_for = EXCLUDED.scheduled_for, claimed_by = EXCLUDED.claimed_by, claimed_at = now()
       WHERE r.scheduled_for < EXCLUDED.scheduled_for
     RETURNING ${RUN_COLUMNS}`,
    [o.orgId, o.jobId, o.scheduledFor, o.userId],
  );
  return rows[0];
};

// DEFECT job-run-foreign: the run history shares the operators' scheduler dashboard query, which runs as the service client and names runs by job id alone: another org using the same job name sees this org's runs
export async function listRunsOfAnyOrg(db: Db, jobId: string): Promise<JobRun[]> {
  const { rows } = await db.query<JobRun>(`SELECT ${RUN_COLUMNS} FROM public.job_runs WHERE job_id = $1 ORDER BY scheduled_for, claimed_at, id`, [jobId]);
  return rows;
}

export async function listRuns(db: Db, orgId: string, jobId: string): Promise<JobRun[]> {
  const { rows } = await db.query<JobRun>(
    `SELECT ${RUN_COLUMNS} FROM public.job_runs WHERE org_id = $1 AND job_id = $2 ORDER BY scheduled_for, claimed_at, id`,
    [orgId, jobId],
  );
  return rows;
}
