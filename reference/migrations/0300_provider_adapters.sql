-- What the provider-backed endpoints store: captured thoughts with the tasks, notes and entities
-- extracted from them, and the plan of each day. Tenant-scoped like every resource table.

CREATE TABLE public.captures (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id     uuid NOT NULL REFERENCES public.orgs (id),
  text       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, org_id)
);
CREATE INDEX captures_org_id_created_idx ON public.captures (org_id, created_at DESC, id DESC);

CREATE TABLE public.tasks (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id     uuid NOT NULL REFERENCES public.orgs (id),
  capture_id uuid NOT NULL,
  title      text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500),
  due_date   date,
  priority   smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
  status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (capture_id, org_id) REFERENCES public.captures (id, org_id) ON DELETE CASCADE
);
CREATE INDEX tasks_org_id_idx ON public.tasks (org_id, status, priority);
CREATE INDEX tasks_capture_idx ON public.tasks (capture_id);

CREATE TABLE public.notes (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id     uuid NOT NULL REFERENCES public.orgs (id),
  capture_id uuid NOT NULL,
  text       text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4000),
  tags       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 10),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (capture_id, org_id) REFERENCES public.captures (id, org_id) ON DELETE CASCADE
);
CREATE INDEX notes_org_id_idx ON public.notes (org_id);
CREATE INDEX notes_capture_idx ON public.notes (capture_id);

CREATE TABLE public.entities (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id     uuid NOT NULL REFERENCES public.orgs (id),
  capture_id uuid NOT NULL,
  name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  kind       text NOT NULL CHECK (kind IN ('person', 'project', 'place', 'organization', 'other')),
  confidence double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (capture_id, org_id) REFERENCES public.captures (id, org_id) ON DELETE CASCADE
);
CREATE INDEX entities_org_id_idx ON public.entities (org_id);
CREATE INDEX entities_capture_idx ON public.entities (capture_id);

-- One plan per org and day; its items are replaced together when the plan is rewritten.
CREATE TABLE public.plans (
  org_id       uuid NOT NULL REFERENCES public.orgs (id),
  plan_date    date NOT NULL,
  summary      text NOT NULL DEFAULT '',
  generated_at timestamptz NOT NULL DEFAULT now(),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, plan_date)
);

CREATE TABLE public.plan_items (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id     uuid NOT NULL,
  plan_date  date NOT NULL,
  position   int NOT NULL CHECK (position >= 1),
  title      text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500),
  minutes    int NOT NULL CHECK (minutes BETWEEN 5 AND 480),
  priority   smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
  task_id    uuid REFERENCES public.tasks (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, plan_date) REFERENCES public.plans (org_id, plan_date) ON DELETE CASCADE,
  UNIQUE (org_id, plan_date, position)
);
CREATE INDEX plan_items_task_idx ON public.plan_items (task_id);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['captures', 'tasks', 'notes', 'entities', 'plans', 'plan_items'] LOOP
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
