-- Preferences hubs: one JSONB document per (org, hub), merged key by key in the database.

CREATE TABLE public.preference_hubs (
  org_id     uuid NOT NULL REFERENCES public.orgs (id),
  hub        text NOT NULL,
  data       jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(data) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, hub)
);

CREATE TRIGGER preference_hubs_touch_updated_at BEFORE UPDATE ON public.preference_hubs
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

ALTER TABLE public.preference_hubs ENABLE ROW LEVEL SECURITY;
CREATE POLICY preference_hubs_select ON public.preference_hubs FOR SELECT TO authenticated
  USING (org_id = (SELECT auth.org_id()));
CREATE POLICY preference_hubs_insert ON public.preference_hubs FOR INSERT TO authenticated
  WITH CHECK (org_id = (SELECT auth.org_id()));
CREATE POLICY preference_hubs_update ON public.preference_hubs FOR UPDATE TO authenticated
  USING (org_id = (SELECT auth.org_id())) WITH CHECK (org_id = (SELECT auth.org_id()));
GRANT SELECT, INSERT, UPDATE ON public.preference_hubs TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.preference_hubs TO service_role;
