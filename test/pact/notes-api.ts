import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small API on conventions unlike the reference's, for the pact suite's tests: `Authorization:
 * Token <t>`, integer ids, answers wrapped as `{ note: {...} }`, errors as `{ errors: {...} }`.
 * `rename` switches on the mistake the suite must catch: a note's `text` renamed `body`.
 */
export interface NotesApi {
  url: string;
  /** Issues a token for a new user (what the profile's newTenant hook calls). */
  tokens: Set<string>;
  notes: Map<number, { owner: string; text: string }>;
  /** Requests seen, with their Authorization header. */
  seen: { method: string; path: string; auth?: string }[];
  close(): Promise<void>;
}

export async function startNotesApi(o: { rename?: boolean } = {}): Promise<NotesApi> {
  const tokens = new Set<string>();
  const notes = new Map<number, { owner: string; text: string }>();
  const seen: NotesApi['seen'] = [];
  let next = 1;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const send = (status: number, body?: unknown) => {
        res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      seen.push({ method: req.method ?? '', path, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
      if (req.method === 'POST' && path === '/users') {
        const token = randomBytes(16).toString('hex');
        tokens.add(token);
        return send(201, { user: { token } });
      }
      const token = /^Token (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !tokens.has(token)) return send(401, { errors: { token: ['is missing or invalid'] } });
      const show = (id: number, n: { text: string }) => ({ note: o.rename ? { id, body: n.text } : { id, text: n.text } });
      if (req.method === 'POST' && path === '/notes') {
        const id = next++;
        const text = (JSON.parse(raw || '{}') as { note?: { text?: string } }).note?.text ?? '';
        notes.set(id, { owner: token, text });
        return send(201, show(id, { text }));
      }
      const m = /^\/notes\/(\d+)$/.exec(path);
      if (req.method === 'GET' && m) {
        const n = notes.get(Number(m[1]));
        return n && n.owner === token ? send(200, show(Number(m[1]), n)) : send(404, { errors: { note: ['not found'] } });
      }
      return send(404, { errors: { route: ['not found'] } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tokens,
    notes,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
