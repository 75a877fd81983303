-- DEFECT claim-race: job runs have no unique key (the app checks for an existing run instead).
ALTER TABLE public.job_runs DROP CONSTRAINT IF EXISTS job_runs_once;
