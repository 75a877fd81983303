-- DEFECT idempotency-race: no unique index on the idempotency key (the app looks the key up instead).
DROP INDEX IF EXISTS public.evidence_idempotency_key_idx;
