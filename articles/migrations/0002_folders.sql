-- Folders are private to their owner; the application scopes every query by owner_id.
CREATE TABLE public.folders (
  id serial PRIMARY KEY,
  owner_id integer NOT NULL REFERENCES public.users (id),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX folders_owner_id_idx ON public.folders (owner_id);
