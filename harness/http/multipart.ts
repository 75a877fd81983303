import { randomBytes } from 'node:crypto';

export type MultipartPart =
  | { name: string; value: string }
  | { name: string; filename: string; contentType: string; data: Buffer | string };

/**
 * A multipart/form-data body (RFC 7578) as bytes, with its content-type header: built once, so
 * every attempt of an idempotent upload sends exactly the same request.
 */
export function multipartBody(parts: MultipartPart[]): { body: Buffer; headers: Record<string, string> } {
  const boundary = `----shipgate${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  const quote = (s: string) => s.replace(/["\r\n]/g, '_');
  for (const part of parts) {
    const head =
      'filename' in part
        ? `Content-Disposition: form-data; name="${quote(part.name)}"; filename="${quote(part.filename)}"\r\nContent-Type: ${part.contentType}\r\n`
        : `Content-Disposition: form-data; name="${quote(part.name)}"\r\n`;
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n`));
    chunks.push('filename' in part ? (Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data)) : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
