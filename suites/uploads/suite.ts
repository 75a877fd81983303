import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'uploads',
  title: 'Uploads: size limit, allowed types, idempotency, access',
  promise:
    'A file exactly at the size limit is accepted and stored as sent; one byte over is refused (413 by default), and an oversized upload is refused while it is still being sent; a type off the allow-list, or an allowed type whose bytes are not of that type, is refused (415 by default); the same idempotency key returns the same record; another tenant cannot read, delete or change an upload (where the profile gives those routes) and its refusal answers as declared.',
  // Uploads write: never on production; on staging every upload shipgate makes is removed again.
  kinds: ['ephemeral', 'staging'],
  usesApi: true,
  // It uploads as tenants of its own and judges bytes and statuses, not time.
  sharing: 'shared',
  notApplicable: (p) => {
    if (!p.uploads) return 'the profile has no uploads block (the upload route, size limit, allowed types and how an upload is read back)';
    if (p.kind === 'staging' && !p.uploads.remove) return 'on a staging target shipgate removes every upload it makes: give uploads.remove (e.g. DELETE /v1/evidence/{id})';
    return undefined;
  },
});
