import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'worker-crash',
  title: 'Worker crash recovery',
  promise:
    'When a worker is killed (kill -9) while it holds an export, the export goes back to the queue after its lease and finishes exactly once, within the lease plus a bound; the kill leaves no process behind.',
  // It kills and freezes processes: never anything but a throw-away system.
  kinds: ['ephemeral'],
  usesApi: true,
  sharing: { alone: "it freezes (SIGSTOP) and kills the workers that other suites' exports and jobs need, and judges recovery against the lease: another suite's work would stall, and its own timings would be theirs" },
  notApplicable: (p) => {
    if (!p.exports) return 'the profile has no exports block';
    if (!p.exports.workers) return 'the profile has no exports.workers block (the worker service, its id variable and lease)';
    if (!p.exports.status.holder) return 'the profile has no exports.status.holder (which worker holds an export), so a worker holding one cannot be found';
    if (!p.launch) return 'shipgate does not launch this target, so it cannot start and kill a worker';
    return undefined;
  },
});
