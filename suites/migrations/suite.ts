import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'migrations',
  title: 'Migrations',
  promise:
    'The migrations build the whole schema on a fresh database, record every one of them, change nothing when run again, and leave a database the advisor finds clean.',
  // It creates and drops a database on the target's server.
  kinds: ['ephemeral'],
  // Only the database: no API call, so no base URL or identities needed.
  usesApi: false,
  // It builds and drops a database of its own on the server.
  sharing: 'shared',
  databaseOnly: true,
  notApplicable: (p) =>
    p.database?.migrations ? undefined : 'the profile has no database.migrations block (the command that applies the migrations, and the table that records them)',
});
