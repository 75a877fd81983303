import { defineSuite, type TargetProfile } from 'shipgate';

/** What the golden path needs from the profile, or why it cannot run. */
function missing(p: TargetProfile): string | undefined {
  const x = p.exports;
  if (!x) return 'the profile has no exports block (how exports are requested, read, downloaded and hashed)';
  if (!x.download) return 'exports.download is not given: shipgate recomputes the hashes from the downloaded data';
  if (!x.hashes) return "exports.hashes is not given: how the system hashes an export's data (canonical form, algorithm, encoding)";
  if (!x.manifest && !x.productions.hash && !x.hashes.database) {
    return 'nothing records a hash to compare with: give exports.manifest, exports.productions.hash or exports.hashes.database';
  }
  return undefined;
}

export default defineSuite({
  id: 'exports',
  title: 'Export golden path and hashes',
  promise:
    "An export is requested, finishes and downloads; the hash of its data, recomputed by shipgate from the download in the declared canonical form (RFC 8785 by default), matches its manifest (whole and item by item), its ledger event and the database's own computation, and the system's verification agrees.",
  // It writes (an export, and what exports.prepare makes) only for a tenant of shipgate's own.
  kinds: ['ephemeral', 'staging'],
  usesApi: true,
  // Its export belongs to a tenant of its own.
  sharing: 'shared',
  notApplicable: missing,
});
