-- DEFECT rls-disabled: RLS was switched off on messages to debug an insert that kept failing, and
-- never switched back on. Its policies are still there, so the table looks protected; they no
-- longer apply, and any authenticated session reads and writes every org's messages.
ALTER TABLE public.messages DISABLE ROW LEVEL SECURITY;
