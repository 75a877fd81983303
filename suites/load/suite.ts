import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'load',
  title: 'Load within its thresholds',
  promise:
    "Under the profile's load scenario (its stages, weighted routes and identities), every threshold holds: latency percentiles, failure rate and throughput stay within what the profile declares.",
  // Against production only with GETs and only when the load block says allowProduction: true
  // (refused at profile load otherwise); staging gets reads only.
  kinds: ['ephemeral', 'staging', 'production'],
  usesApi: true,
  sharing: { alone: "its latency, failure-rate and throughput thresholds would measure the other suites' traffic as well as its own" },
  // A load run takes minutes and skews every timing beside it: shipgate load and nightly run it, after the rest.
  runBy: 'load',
  notApplicable: (p) =>
    p.load ? undefined : "the profile has no load block (stages, routes, thresholds such as http_req_duration: ['p(95)<300'])",
});
