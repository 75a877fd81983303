-- DEFECT claim-last-run-only: job_runs keeps one row per job, its latest claimed run (the scheduler
-- only ever asked "when did this job last run?"), so the unique key is (org, job) and a claim
-- compare-and-sets the run time forward.
ALTER TABLE public.job_runs DROP CONSTRAINT IF EXISTS job_runs_once;
ALTER TABLE public.job_runs ADD CONSTRAINT job_runs_last UNIQUE (org_id, job_id);
CREATE POLICY job_runs_update ON public.job_runs FOR UPDATE TO authenticated
  USING (org_id = (SELECT auth.org_id())) WITH CHECK (org_id = (SELECT auth.org_id()));
GRANT UPDATE ON public.job_runs TO authenticated;
