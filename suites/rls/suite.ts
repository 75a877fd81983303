import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'rls',
  title: 'Row-level security',
  promise:
    "In the database itself, a user of one tenant reads, inserts, updates and deletes only its own tenant's rows, and an anonymous caller none at all; every probe runs in a transaction that is rolled back.",
  // Every probe is rolled back, so a shared staging database is safe; production gets no writes at all.
  kinds: ['ephemeral', 'staging'],
  // Only the database: no API call, so no base URL or identities needed.
  usesApi: false,
  // Every probe is one rolled-back transaction that tells rows other sessions write from its own.
  sharing: 'shared',
  databaseOnly: true,
  notApplicable: (p) => {
    if (!p.database) return 'the profile has no `database` block (a privileged URL, the schemas, the tenant column, the claims convention)';
    if (p.database.isolation === 'app') return "tenancy is enforced by the application, not by row-level security (database.isolation: 'app'); tenant-isolation checks it through the API";
    return undefined;
  },
});
