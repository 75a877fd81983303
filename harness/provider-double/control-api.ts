import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallFilter, CallLog } from './calls.ts';
import { readBody, sendJson } from './http-io.ts';
import { scriptInputSchema, type ScriptBook } from './scripts.ts';

/** What the control API works on: the double's scripts, its call log and its held calls. */
export interface ControlState {
  scripts: ScriptBook;
  log: CallLog;
  pendingCount(): number;
  /** Lets held calls go (those whose script id the predicate accepts); returns how many. */
  release(predicate: (scriptId: string | null) => boolean): number;
  /** When set, every control request must carry `Authorization: Bearer <token>`. */
  token?: string;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares in constant time, so the token cannot be guessed a character at a time. */
function authorised(req: IncomingMessage, token: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}

/**
 * The control API under `/_double`: `GET health`, `POST scripts`, `DELETE scripts/<id>` or
 * `?owner=`, `GET calls` (filters: contains, script, owner, op), `POST release[?script=]`, `POST reset`.
 * Recorded calls hold the system's prompts, so with a token set nothing is served without it.
 */
export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, state: ControlState): Promise<void> {
  if (state.token !== undefined && !authorised(req, state.token)) {
    return sendJson(res, 401, { error: 'the control API needs its token: send Authorization: Bearer <token> (printed when the double started; providerDouble.controlToken in the profile)' });
  }
  const { scripts, log } = state;
  const path = url.pathname.replace(/^\/_double/, '');
  if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok', scripts: scripts.list().length, pending: state.pendingCount() });
  if (req.method === 'POST' && path === '/scripts') {
    const raw = (await readBody(req)) ?? '';
    let input: unknown;
    try {
      input = JSON.parse(raw);
    } catch {
      return sendJson(res, 400, { error: 'the script is not JSON' });
    }
    const parsed = scriptInputSchema.safeParse(input);
    if (!parsed.success) {
      return sendJson(res, 400, { error: 'invalid script', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
    }
    return sendJson(res, 201, { id: scripts.add(parsed.data).id });
  }
  if (req.method === 'DELETE' && path.startsWith('/scripts')) {
    const id = path.split('/')[2];
    const owner = url.searchParams.get('owner');
    if (!id && !owner) return sendJson(res, 400, { error: 'give a script id (/_double/scripts/<id>) or ?owner=' });
    const removed = scripts.remove((s) => (id ? s.id === id : s.owner === owner));
    const ids = new Set(removed.map((s) => s.id));
    const released = state.release((scriptId) => scriptId !== null && ids.has(scriptId));
    return sendJson(res, 200, { removed: removed.length, released });
  }
  if (req.method === 'GET' && path === '/calls') {
    const filter: CallFilter = {};
    for (const key of ['contains', 'script', 'owner', 'op'] as const) {
      const v = url.searchParams.get(key);
      if (v !== null) filter[key] = v;
    }
    return sendJson(res, 200, { calls: log.find(filter) });
  }
  if (req.method === 'POST' && path === '/release') {
    const script = url.searchParams.get('script');
    return sendJson(res, 200, { released: state.release((scriptId) => script === null || scriptId === script) });
  }
  if (req.method === 'POST' && path === '/reset') {
    const released = state.release(() => true);
    scripts.remove(() => true);
    log.clear();
    return sendJson(res, 200, { released });
  }
  return sendJson(res, 404, { error: `no control route ${req.method} ${url.pathname}` });
}
