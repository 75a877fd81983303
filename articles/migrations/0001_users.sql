-- Users are the tenants: every article, folder and comment belongs to one.
CREATE TABLE public.users (
  id serial PRIMARY KEY,
  username text NOT NULL CONSTRAINT users_username_key UNIQUE,
  email text NOT NULL CONSTRAINT users_email_key UNIQUE,
  password_hash text NOT NULL,
  -- Part of every token (claim `ver`): bumping it ends every token issued before.
  token_version integer NOT NULL DEFAULT 1 CHECK (token_version > 0),
  is_admin boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
