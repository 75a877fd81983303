import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'health',
  title: 'Health under database faults',
  promise:
    'Liveness answers while the database does not, and never touches it; readiness answers its not-ready contract within its timeout when the database stops answering, is ready again once it is back, and reuses a success for its cache window; the health route names each dependency\'s state.',
  // Reading the health routes is safe anywhere; the database faults need an ephemeral system
  // shipgate launched, and the checks that need them say so by name when it is not one.
  kinds: ['ephemeral', 'staging', 'production'],
  usesApi: true,
  sharing: { alone: "it cuts the API off from its database (blackhole, reset) and counts the database round trips each probe causes: other suites' requests would fail meanwhile, and their queries would be counted as the probes'" },
  notApplicable: (p) =>
    p.health ? undefined : 'the profile has no health block (the liveness, readiness and health routes, the readiness timeout and cache window, and the not-ready contract)',
});
