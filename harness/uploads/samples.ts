import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'uploads');

/** shipgate's own sample of each common type (`fixtures/uploads/`): the smallest real file of it. */
export const SAMPLE_FILES: Readonly<Record<string, string>> = {
  'application/pdf': 'sample.pdf',
  'image/png': 'sample.png',
  'image/jpeg': 'sample.jpg',
  'image/gif': 'sample.gif',
  'image/webp': 'sample.webp',
  'video/mp4': 'sample.mp4',
  'video/quicktime': 'sample.mov',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'sample.docx',
  'application/msword': 'sample.doc',
  'text/plain': 'sample.txt',
  'text/csv': 'sample.csv',
  'application/json': 'sample.json',
};

/** Files an upload allow-list refuses, each sent with its own type, and as the bytes of a spoofed allowed type. */
export const REFUSED_SAMPLES: readonly { type: string; file: string; what: string }[] = [
  { type: 'text/html', file: 'refused.html', what: 'an HTML page with a script' },
  { type: 'image/svg+xml', file: 'refused.svg', what: 'an SVG image with a script' },
  { type: 'application/x-msdownload', file: 'refused.exe', what: "a Windows executable's header" },
  { type: 'application/x-sh', file: 'refused.sh', what: 'a shell script' },
];

/**
 * Types a file declares by its first bytes (a magic number), so a file whose bytes contradict the
 * header is detectable. Text, JSON and octet-stream have none: any bytes could be them.
 */
export const SIGNED_TYPES: ReadonlySet<string> = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/bmp',
  'image/tiff',
  'image/heic',
  'image/avif',
  'video/mp4',
  'video/quicktime',
  'video/webm',
  'audio/mpeg',
  'audio/ogg',
  'application/zip',
  'application/gzip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
]);

/** The types the size-limit checks prefer to pad to the limit: their formats tolerate padding. */
export const PADDABLE_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'text/plain', 'text/csv'] as const;

export function fixtureBytes(file: string): Buffer {
  return readFileSync(join(FIXTURES, file));
}

/** The bytes to upload as `type`: the profile's sample (bytes or a path relative to it), else shipgate's own. */
export function sampleOf(type: string, given: Readonly<Record<string, Buffer | string>>, profileDir: string): Buffer | undefined {
  const own = given[type];
  if (Buffer.isBuffer(own)) return own;
  if (typeof own === 'string') return readFileSync(isAbsolute(own) ? own : resolve(profileDir, own));
  const file = SAMPLE_FILES[type];
  return file ? fixtureBytes(file) : undefined;
}

/**
 * `sample` grown to exactly `size` bytes and still a file of its type: a PDF gets a comment line
 * before its end marker, text gets more text, any other format zero bytes after its end.
 */
export function padTo(sample: Buffer, type: string, size: number): Buffer {
  if (size < sample.length) throw new Error(`the ${type} sample is ${sample.length} bytes, more than the ${size} asked for`);
  const room = size - sample.length;
  if (room === 0) return sample;
  if (type === 'application/pdf') {
    const end = sample.lastIndexOf('%%EOF');
    // A comment line needs "%" and a newline around the filler.
    if (end > 0 && room >= 2) return Buffer.concat([sample.subarray(0, end), Buffer.from('%'), Buffer.alloc(room - 2, 0x20), Buffer.from('\n'), sample.subarray(end)]);
  }
  if (type.startsWith('text/')) return Buffer.concat([sample, Buffer.alloc(room, 0x61)]);
  return Buffer.concat([sample, Buffer.alloc(room)]);
}
