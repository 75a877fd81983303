import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The cost model's synthetic system: a small multi-tenant HTTP API generated for `resources`
 * resources (r1 ... rN), each with create, list, read, update, remove (remove needs the tenant's
 * `admin` role) and `actions` extra single-item writes, an in-memory store shared by `instances`
 * servers on loopback (OS-assigned ports, like API instances behind one database), and HS256
 * tokens whose claims carry the tenant (`org_id`) and the role (`POST /auth/logout` revokes the
 * token it is sent with). It keeps every promise the
 * profile (bench/cost-profile/shipgate.config.ts) declares, so a verify run is GO and every
 * check does its full work: what is measured is shipgate's cost, not a finding's short cut.
 * It counts the requests it answers, so the bench can print requests sent per run.
 */

export const COST_JWT = { secret: 'cost-model-bench-secret-of-32-characters-at-least', audience: 'cost-model' };

export interface CostApiOptions {
  resources: number;
  actions: number;
  instances: number;
}

export interface CostApi {
  baseUrls: string[];
  /** Requests answered since start (or the last `resetCount`). */
  requests(): number;
  resetCount(): void;
  stop(): Promise<void>;
}

interface Item {
  id: string;
  org: string;
  name: string;
  note: string;
  actions: Record<string, number>;
}

interface Claims {
  sub: string;
  org_id: string;
  role?: string;
}

function claimsOf(header: string | undefined): Claims | undefined {
  if (!header?.startsWith('Bearer ')) return undefined;
  const [h, p, sig] = header.slice(7).split('.');
  if (!h || !p || sig === undefined) return undefined;
  let head: { alg?: unknown };
  let claims: { sub?: unknown; org_id?: unknown; role?: unknown; aud?: unknown; exp?: unknown; nbf?: unknown };
  try {
    head = JSON.parse(Buffer.from(h, 'base64url').toString()) as typeof head;
    claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as typeof claims;
  } catch {
    return undefined;
  }
  if (head?.alg !== 'HS256' || typeof claims !== 'object' || claims === null) return undefined;
  const expected = createHmac('sha256', COST_JWT.secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const now = Date.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp < now - 60) return undefined;
  if (typeof claims.nbf === 'number' && claims.nbf > now + 60) return undefined;
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(COST_JWT.audience)) return undefined;
  if (typeof claims.sub !== 'string' || typeof claims.org_id !== 'string' || claims.sub === '' || claims.org_id === '') return undefined;
  return { sub: claims.sub, org_id: claims.org_id, ...(typeof claims.role === 'string' ? { role: claims.role } : {}) };
}

const MAX_BODY = 64 * 1024;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function startCostApi(o: CostApiOptions): Promise<CostApi> {
  // One store for every instance: the instances stand for API processes over one database.
  const stores = Array.from({ length: o.resources }, () => new Map<string, Item>());
  const actionNames = Array.from({ length: o.actions }, (_, i) => `act${i + 1}`);
  // Tokens a logout revoked (the profile's identities.revocations.logout).
  const revoked = new Set<string>();
  let count = 0;
  const view = (item: Item) => ({ id: item.id, name: item.name, note: item.note, actions: item.actions });

  const handler = async (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    count++;
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    let raw = '';
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return send(413, { error: 'body too large' });
      raw += chunk.toString();
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://cost');
    } catch {
      return send(400, { error: 'bad url' });
    }
    if (url.pathname === '/health') return send(200, { ok: true });
    const claims = revoked.has(req.headers.authorization ?? '') ? undefined : claimsOf(req.headers.authorization);
    if (!claims) return send(401, { error: 'unauthenticated' });
    if (url.pathname === '/auth/logout' && req.method === 'POST') {
      revoked.add(req.headers.authorization!);
      return send(204);
    }
    const m = /^\/api\/r(\d+)(?:\/([^/]+)(?:\/(act\d+))?)?$/.exec(url.pathname);
    const store = m ? stores[Number(m[1]) - 1] : undefined;
    if (!m || !store || String(Number(m[1])) !== m[1]) return send(404, { error: 'not found' });
    const [, , id, action] = m;
    if (action !== undefined && !actionNames.includes(action)) return send(404, { error: 'not found' });
    let body: Record<string, unknown> = {};
    if (raw !== '') {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return send(400, { error: 'the body is not JSON' });
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return send(400, { error: 'the body must be a JSON object' });
    }
    const text = (field: string, required: boolean): string | undefined | Error => {
      const v = body[field];
      if (v === undefined) return required ? new Error(`${field} is required`) : undefined;
      if (typeof v !== 'string' || v.length > 1000) return new Error(`${field} must be a string of at most 1000 characters`);
      return v;
    };
    if (id === undefined) {
      if (req.method === 'POST') {
        const name = text('name', true);
        const note = text('note', false);
        if (name instanceof Error) return send(400, { error: name.message });
        if (note instanceof Error) return send(400, { error: note.message });
        const item: Item = { id: randomUUID(), org: claims.org_id, name: name!, note: note ?? '', actions: {} };
        store.set(item.id, item);
        return send(201, view(item));
      }
      if (req.method === 'GET') return send(200, { items: [...store.values()].filter((i) => i.org === claims.org_id).map(view) });
      return send(405, { error: 'method not allowed' });
    }
    const item = ID.test(id) ? store.get(id) : undefined;
    if (!item || item.org !== claims.org_id) return send(404, { error: 'not found' });
    if (action !== undefined) {
      if (req.method !== 'POST') return send(405, { error: 'method not allowed' });
      item.actions[action] = (item.actions[action] ?? 0) + 1;
      return send(200, view(item));
    }
    if (req.method === 'GET') return send(200, view(item));
    if (req.method === 'PATCH') {
      const name = text('name', false);
      const note = text('note', false);
      if (name instanceof Error) return send(400, { error: name.message });
      if (note instanceof Error) return send(400, { error: note.message });
      if (name !== undefined) item.name = name;
      if (note !== undefined) item.note = note;
      return send(200, view(item));
    }
    if (req.method === 'DELETE') {
      if (claims.role !== 'admin') return send(403, { error: 'forbidden' });
      store.delete(item.id);
      return send(204);
    }
    return send(405, { error: 'method not allowed' });
  };

  const servers: Server[] = [];
  for (let i = 0; i < o.instances; i++) {
    const server = createServer((req, res) => {
      handler(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal' }));
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    servers.push(server);
  }
  return {
    baseUrls: servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`),
    requests: () => count,
    resetCount: () => void (count = 0),
    stop: async () => {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((done) => s.close(() => done()));
      }
    },
  };
}
