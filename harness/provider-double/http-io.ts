import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bodies above this are refused with 413 before they are read whole. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/** The request body as text, or undefined when it is over MAX_REQUEST_BYTES (the request is then cut). */
export function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Sends a whole answer, unless the caller has already hung up. */
export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export const sendJson = (res: ServerResponse, status: number, value: unknown) => send(res, status, JSON.stringify(value));

/** An error body the way OpenAI shapes it, so client libraries raise their usual error types. */
export const openAiError = (message: string, type: string, code: string | null = null) => ({ error: { message, type, param: null, code } });
