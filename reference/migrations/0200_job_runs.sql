-- Scheduled job runs. try_claim(job_id, scheduled_for) inserts the run; the unique key decides
-- which of any number of concurrent claims (from any instance) wins.

CREATE TABLE public.job_runs (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES public.orgs (id),
  job_id        text NOT NULL,
  scheduled_for timestamptz NOT NULL,
  claimed_by    uuid NOT NULL REFERENCES public.users (id),
  claimed_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT job_runs_once UNIQUE (org_id, job_id, scheduled_for)
);
CREATE INDEX job_runs_org_id_idx ON public.job_runs (org_id, job_id, scheduled_for);

ALTER TABLE public.job_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_runs_select ON public.job_runs FOR SELECT TO authenticated
  USING (org_id = (SELECT auth.org_id()));
CREATE POLICY job_runs_insert ON public.job_runs FOR INSERT TO authenticated
  WITH CHECK (org_id = (SELECT auth.org_id()));
GRANT SELECT, INSERT ON public.job_runs TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.job_runs TO service_role;
