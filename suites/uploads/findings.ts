import type { Severity } from 'shipgate';

export const UPLOADS_FINDINGS = {
  UPLOAD_AT_LIMIT_REFUSED: { promise: 'A file exactly at the size limit is accepted.', severity: 'high' },
  UPLOAD_STORED_WRONG: { promise: 'An accepted upload is stored exactly as it was sent (its size and its hash).', severity: 'high' },
  UPLOAD_OVER_LIMIT_ACCEPTED: { promise: 'A file over the size limit is refused, never stored.', severity: 'critical' },
  UPLOAD_OVER_LIMIT_WRONG_STATUS: { promise: 'A file over the size limit is refused with the status the profile declares (413 by default).', severity: 'medium' },
  UPLOAD_LIMIT_LATE: { promise: 'An upload over the size limit is refused while it is still being sent, before its body is consumed.', severity: 'high' },
  UPLOAD_ALLOWED_TYPE_REFUSED: { promise: 'A file of an allowed type, with bytes of that type, is accepted.', severity: 'high' },
  UPLOAD_TYPE_ACCEPTED: { promise: 'A file whose content type is not on the allow-list is refused (415 by default).', severity: 'high' },
  UPLOAD_TYPE_SPOOF_ACCEPTED: { promise: 'A file whose bytes are not of the allowed type its header names is refused (415 by default): the header alone proves nothing.', severity: 'critical' },
  UPLOAD_TYPE_WRONG_STATUS: { promise: 'A refused type is refused with the status the profile declares (415 by default).', severity: 'medium' },
  UPLOAD_IDEMPOTENCY_BROKEN: { promise: 'The same idempotency key returns the same record.', severity: 'high' },
  UPLOAD_FOREIGN_WRITE: { promise: 'Another tenant cannot delete or change an upload: the upload stays exactly as its owner stored it.', severity: 'critical' },
  UPLOAD_FOREIGN_WRITE_DENIAL: {
    promise: "Another tenant's delete or change of an upload is refused as the profile declares: like the same call on a missing id (the default), or the declared status.",
    severity: 'high',
  },
  UPLOAD_FOREIGN_READ: { promise: "Another tenant cannot read an upload: it gets the declared denial and none of the upload's data.", severity: 'critical' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;
