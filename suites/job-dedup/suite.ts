import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'job-dedup',
  title: 'Job dedup',
  promise:
    'Of any number of concurrent claims of one scheduled job run, from any identities and any instances, exactly one wins, the others are told they lost, and the system records one run.',
  kinds: ['ephemeral'],
  usesApi: true,
  // It claims job runs it made.
  sharing: 'shared',
  notApplicable: (p) => (p.jobClaim ? undefined : 'the profile has no jobClaim block (how a job run is claimed)'),
});
