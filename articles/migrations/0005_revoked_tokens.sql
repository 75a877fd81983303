-- Logged-out tokens, shared by every instance; a row is useless once its token has expired.
CREATE TABLE public.revoked_tokens (
  jti uuid PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_expires_at_idx ON public.revoked_tokens (expires_at);
