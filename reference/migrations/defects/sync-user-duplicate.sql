-- DEFECT sync-user-duplicate: users.auth_sub is not unique (the app looks the user up instead).
ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_auth_sub_key;
CREATE INDEX IF NOT EXISTS users_auth_sub_idx ON public.users (auth_sub);
