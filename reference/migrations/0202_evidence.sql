-- Evidence uploads. An Idempotency-Key is unique per org: the same key returns the same record,
-- and the unique index decides between concurrent identical requests.

CREATE TABLE public.evidence (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES public.orgs (id),
  uploaded_by     uuid NOT NULL REFERENCES public.users (id),
  filename        text NOT NULL,
  description     text NOT NULL DEFAULT '',
  content_type    text NOT NULL,
  size_bytes      bigint NOT NULL,
  sha256          text NOT NULL,
  content         bytea NOT NULL,
  idempotency_key text,
  -- What the keyed request asked for: a replay with other content under the same key is refused.
  request_hash    text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evidence_org_id_created_idx ON public.evidence (org_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX evidence_idempotency_key_idx ON public.evidence (org_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

CREATE TRIGGER evidence_touch_updated_at BEFORE UPDATE ON public.evidence
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

ALTER TABLE public.evidence ENABLE ROW LEVEL SECURITY;
CREATE POLICY evidence_select ON public.evidence FOR SELECT TO authenticated
  USING (org_id = (SELECT auth.org_id()));
CREATE POLICY evidence_insert ON public.evidence FOR INSERT TO authenticated
  WITH CHECK (org_id = (SELECT auth.org_id()));
GRANT SELECT, INSERT ON public.evidence TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.evidence TO service_role;
