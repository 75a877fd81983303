import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'db-advisor',
  title: 'Database advisor',
  promise:
    "The catalog keeps the database's security promises: RLS on every table the API roles reach with real policies, every SECURITY DEFINER function pinned to SET search_path = '' and not executable by PUBLIC or anon, no view that bypasses RLS, an index on every tenant column.",
  // It only reads the catalog, so it is safe against any environment.
  kinds: ['ephemeral', 'staging', 'production'],
  // Only the database: no API call, so no base URL or identities needed.
  usesApi: false,
  // It reads the catalog only.
  sharing: 'shared',
  databaseOnly: true,
  notApplicable: (p) =>
    p.database ? undefined : 'the profile has no `database` block (a privileged URL and the schemas to examine)',
});
