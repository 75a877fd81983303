import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'config',
  title: 'Fail-fast configuration',
  promise:
    'Without a required variable the service refuses to start (a non-zero exit within its bound) with a message that names the variable and echoes no secret; in production a weak or missing JWT secret is refused, or warned about, as declared.',
  // It starts the service again with its configuration broken: only a system shipgate launches.
  kinds: ['ephemeral'],
  usesApi: false,
  // The services it starts with a broken configuration are its own processes; its bounds are seconds.
  sharing: 'shared',
  notApplicable: (p) => {
    if (!p.config) return 'the profile has no config block (the required variables, and the JWT secret rules in production)';
    if (!p.launch) return 'shipgate does not launch this target, so it cannot start the service with a variable removed';
    return undefined;
  },
});
