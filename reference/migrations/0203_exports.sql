-- Exports: queued by the API, claimed by worker processes (FOR UPDATE SKIP LOCKED), kept alive by
-- heartbeats that extend a lease, and sent back to the queue when the lease of a dead worker ends.
-- Each produced bundle is a file plus a ledger event, written in the transaction that completes it.

CREATE TABLE public.exports (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id         uuid NOT NULL REFERENCES public.orgs (id),
  requested_by   uuid NOT NULL REFERENCES public.users (id),
  kind           text NOT NULL DEFAULT 'documents' CHECK (kind IN ('documents')),
  status         text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'preparing', 'ready', 'failed')),
  attempts       integer NOT NULL DEFAULT 0,
  recoveries     integer NOT NULL DEFAULT 0,
  worker_id      text,
  claimed_at     timestamptz,
  heartbeat_at   timestamptz,
  lease_until    timestamptz,
  recovered_at   timestamptz,
  completed_at   timestamptz,
  file_id        uuid,
  error          text,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX exports_org_id_created_idx ON public.exports (org_id, created_at DESC, id DESC);
CREATE INDEX exports_queue_idx ON public.exports (created_at, id) WHERE status = 'queued';
CREATE INDEX exports_lease_idx ON public.exports (lease_until) WHERE status = 'preparing';

CREATE TABLE public.export_files (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  export_id   uuid NOT NULL REFERENCES public.exports (id),
  org_id      uuid NOT NULL REFERENCES public.orgs (id),
  worker_id   text NOT NULL,
  bundle      jsonb NOT NULL,
  manifest    jsonb NOT NULL,
  sha256      text NOT NULL,
  size_bytes  bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX export_files_org_id_idx ON public.export_files (org_id);
CREATE INDEX export_files_export_id_idx ON public.export_files (export_id);

-- Append-only audit trail: what was produced, when, by which worker.
CREATE TABLE public.ledger_events (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES public.orgs (id),
  kind        text NOT NULL,
  subject_id  uuid NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX ledger_events_org_id_idx ON public.ledger_events (org_id, subject_id, created_at);

CREATE TRIGGER exports_touch_updated_at BEFORE UPDATE ON public.exports
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

-- Wakes the workers (LISTEN export_queued) whenever an export enters the queue; delivered at commit.
CREATE FUNCTION public.notify_export_queued() RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  PERFORM pg_catalog.pg_notify('export_queued', NEW.id::text);
  RETURN NEW;
END
$$;
CREATE TRIGGER exports_notify_queued AFTER INSERT OR UPDATE OF status ON public.exports
  FOR EACH ROW WHEN (NEW.status = 'queued') EXECUTE FUNCTION public.notify_export_queued();

ALTER TABLE public.exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.export_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.ledger_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY exports_select ON public.exports FOR SELECT TO authenticated
  USING (org_id = (SELECT auth.org_id()));
CREATE POLICY exports_insert ON public.exports FOR INSERT TO authenticated
  WITH CHECK (org_id = (SELECT auth.org_id()));
CREATE POLICY export_files_select ON public.export_files FOR SELECT TO authenticated
  USING (org_id = (SELECT auth.org_id()));
CREATE POLICY ledger_events_select ON public.ledger_events FOR SELECT TO authenticated
  USING (org_id = (SELECT auth.org_id()));
GRANT SELECT, INSERT ON public.exports TO authenticated;
GRANT SELECT ON public.export_files, public.ledger_events TO authenticated;
GRANT SELECT, INSERT, UPDATE ON public.exports, public.export_files, public.ledger_events TO service_role;
