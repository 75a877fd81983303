-- Tenant-scoped resources. Each table carries org_id, and RLS limits the authenticated role to
-- the org of its claims; the app filters by org_id as well (defence in depth).

CREATE TABLE public.documents (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id     uuid NOT NULL REFERENCES public.orgs (id),
  title      text NOT NULL,
  body       text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_org_id_created_idx ON public.documents (org_id, created_at DESC, id DESC);

CREATE TABLE public.conversations (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id     uuid NOT NULL REFERENCES public.orgs (id),
  title      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, org_id)
);
CREATE INDEX conversations_org_id_created_idx ON public.conversations (org_id, created_at DESC, id DESC);

CREATE TABLE public.messages (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES public.orgs (id),
  conversation_id uuid NOT NULL,
  role            text NOT NULL CHECK (role IN ('user', 'assistant')),
  content         text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  -- The pair makes a message and its conversation belong to the same org.
  FOREIGN KEY (conversation_id, org_id) REFERENCES public.conversations (id, org_id) ON DELETE CASCADE
);
CREATE INDEX messages_org_id_idx ON public.messages (org_id);
CREATE INDEX messages_conversation_idx ON public.messages (conversation_id, created_at, id);

CREATE TABLE public.sources (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id     uuid NOT NULL REFERENCES public.orgs (id),
  name       text NOT NULL,
  url        text NOT NULL,
  status     text NOT NULL DEFAULT 'pending'
             CHECK (status IN ('pending', 'approved', 'rejected', 'failed', 'processing')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sources_org_id_created_idx ON public.sources (org_id, created_at DESC, id DESC);

-- Same trigger, RLS policies and grants on every resource table.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['documents', 'conversations', 'messages', 'sources'] LOOP
    EXECUTE format(
      'CREATE TRIGGER %1$I BEFORE UPDATE ON public.%2$I FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at()',
      t || '_touch_updated_at', t);
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY %1$I ON public.%2$I FOR SELECT TO authenticated USING (org_id = (SELECT auth.org_id()))',
      t || '_select', t);
    EXECUTE format(
      'CREATE POLICY %1$I ON public.%2$I FOR INSERT TO authenticated WITH CHECK (org_id = (SELECT auth.org_id()))',
      t || '_insert', t);
    EXECUTE format(
      'CREATE POLICY %1$I ON public.%2$I FOR UPDATE TO authenticated '
      'USING (org_id = (SELECT auth.org_id())) WITH CHECK (org_id = (SELECT auth.org_id()))',
      t || '_update', t);
    EXECUTE format(
      'CREATE POLICY %1$I ON public.%2$I FOR DELETE TO authenticated USING (org_id = (SELECT auth.org_id()))',
      t || '_delete', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO authenticated, service_role', t);
  END LOOP;
END
$$;
