CREATE TABLE public.articles (
  id serial PRIMARY KEY,
  author_id integer NOT NULL REFERENCES public.users (id),
  -- Deleting a folder unfiles its articles rather than deleting them.
  folder_id integer REFERENCES public.folders (id) ON DELETE SET NULL,
  title text NOT NULL,
  body text NOT NULL,
  published boolean NOT NULL DEFAULT false,
  featured boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX articles_author_id_idx ON public.articles (author_id);
CREATE INDEX articles_folder_id_idx ON public.articles (folder_id);
