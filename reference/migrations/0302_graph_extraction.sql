-- Graph extraction after a chat message: a user message enqueues a job, once per conversation
-- and text (the same text sent again is the same job); the workers take the names it mentions as
-- nodes of the conversation's graph and the names mentioned together as edges. A failed attempt
-- goes back to the queue after an exponential backoff, and fails for good after the last one;
-- a job whose worker died goes back once its lease ends. GET /v1/conversations/{id}/graph-job
-- reports the latest.

CREATE TABLE public.graph_jobs (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES public.orgs (id),
  conversation_id uuid NOT NULL,
  message_id      uuid NOT NULL,
  content_hash    text NOT NULL,
  status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  run_after       timestamptz NOT NULL DEFAULT now(),
  worker_id       text,
  lease_until     timestamptz,
  nodes           integer NOT NULL DEFAULT 0,
  edges           integer NOT NULL DEFAULT 0,
  last_error      text,
  completed_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, conversation_id, content_hash),
  FOREIGN KEY (conversation_id, org_id) REFERENCES public.conversations (id, org_id) ON DELETE CASCADE
);
CREATE INDEX graph_jobs_conversation_idx ON public.graph_jobs (org_id, conversation_id, created_at DESC);
CREATE INDEX graph_jobs_queue_idx ON public.graph_jobs (run_after, created_at) WHERE status = 'queued';

CREATE TABLE public.graph_nodes (
  org_id          uuid NOT NULL REFERENCES public.orgs (id),
  conversation_id uuid NOT NULL,
  name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  mentions        integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, conversation_id, name),
  FOREIGN KEY (conversation_id, org_id) REFERENCES public.conversations (id, org_id) ON DELETE CASCADE
);

CREATE TABLE public.graph_edges (
  org_id          uuid NOT NULL REFERENCES public.orgs (id),
  conversation_id uuid NOT NULL,
  source          text NOT NULL,
  target          text NOT NULL, -- source < target: the extractor sorts each pair
  weight          integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, conversation_id, source, target),
  FOREIGN KEY (conversation_id, org_id) REFERENCES public.conversations (id, org_id) ON DELETE CASCADE
);

-- Wakes the workers (LISTEN graph_job_queued) when a job enters the queue; delivered at commit.
CREATE FUNCTION public.notify_graph_job_queued() RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  PERFORM pg_catalog.pg_notify('graph_job_queued', NEW.id::text);
  RETURN NEW;
END
$$;
CREATE TRIGGER graph_jobs_notify_queued AFTER INSERT OR UPDATE OF status ON public.graph_jobs
  FOR EACH ROW WHEN (NEW.status = 'queued') EXECUTE FUNCTION public.notify_graph_job_queued();

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['graph_jobs', 'graph_nodes', 'graph_edges'] LOOP
    EXECUTE format(
      'CREATE TRIGGER %1$I BEFORE UPDATE ON public.%2$I FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at()',
      t || '_touch_updated_at', t);
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY %1$I ON public.%2$I FOR SELECT TO authenticated USING (org_id = (SELECT auth.org_id()))',
      t || '_select', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO service_role', t);
  END LOOP;
END
$$;

-- The API enqueues as the caller; only the workers (service_role) change a job or write the graph.
CREATE POLICY graph_jobs_insert ON public.graph_jobs FOR INSERT TO authenticated
  WITH CHECK (org_id = (SELECT auth.org_id()));
GRANT SELECT, INSERT ON public.graph_jobs TO authenticated;
GRANT SELECT ON public.graph_nodes, public.graph_edges TO authenticated;
