-- DEFECT export-delete-foreign (1 of 2): the retention sweep, which runs as the service client, was
-- given DELETE on exports and their files (the route then reused its statement).
GRANT DELETE ON public.exports, public.export_files TO service_role;
