/** Evidence content types, each with the leading bytes a real file of that type starts with. */
const SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  'image/jpeg': (b) => b.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])),
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/gif': (b) => b.subarray(0, 4).toString('latin1') === 'GIF8',
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  'video/mp4': (b) => b.subarray(4, 8).toString('latin1') === 'ftyp' && b.subarray(8, 10).toString('latin1') !== 'qt',
  'video/quicktime': (b) => b.subarray(4, 8).toString('latin1') === 'ftyp' && b.subarray(8, 12).toString('latin1') === 'qt  ',
  'application/msword': (b) => b.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])),
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': (b) =>
    b.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])),
};

export const ALLOWED_CONTENT_TYPES: readonly string[] = Object.keys(SIGNATURES);

/**
 * The declared type is on the allowlist and the bytes are of that type (a header alone proves
 * nothing). `trustDeclared` skips the bytes (the upload-type-spoof defect).
 */
export function contentTypeProblem(declared: string, head: Buffer, o: { trustDeclared?: boolean } = {}): string | undefined {
  const type = declared.split(';')[0]!.trim().toLowerCase();
  const matches = SIGNATURES[type];
  if (!matches) return `content type ${type || '(none)'} is not allowed (allowed: ${ALLOWED_CONTENT_TYPES.join(', ')})`;
  if (!o.trustDeclared && !matches(head)) return `the file's bytes are not ${type}`;
  return undefined;
}
