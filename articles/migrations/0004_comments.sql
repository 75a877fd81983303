CREATE TABLE public.comments (
  id serial PRIMARY KEY,
  article_id integer NOT NULL REFERENCES public.articles (id) ON DELETE CASCADE,
  author_id integer NOT NULL REFERENCES public.users (id),
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_article_id_idx ON public.comments (article_id);
CREATE INDEX comments_author_id_idx ON public.comments (author_id);
