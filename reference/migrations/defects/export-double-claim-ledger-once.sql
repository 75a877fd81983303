-- DEFECT export-double-claim-ledger-once: one ledger event per export, enforced by a unique index
-- that the worker's insert skips on conflict (ON CONFLICT DO NOTHING); a second bundle is stored
-- all the same, and the ledger hides it.
CREATE UNIQUE INDEX IF NOT EXISTS ledger_events_export_generated_once
  ON public.ledger_events ((payload->>'export_id')) WHERE kind = 'export.generated';
