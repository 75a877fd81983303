import {
  credentialHeader,
  parseRoute,
  type BrowserSession,
  type CorsRoute,
  type HttpResult,
  type PageOrigin,
  type Route,
  type Sample,
  type CheckContext,
  type Target,
  type Transport,
} from 'shipgate';

type Json = unknown;

/** One call a web app makes, as the profile declares it. */
export interface CorsCall {
  route: Route;
  body?: Json;
  /** Headers the app adds besides credentials. */
  headers: Record<string, string>;
  /** A write: called from the browser on ephemeral targets only. */
  write: boolean;
}

/** What a page saw when it called the API. */
export interface PageOutcome {
  call: CorsCall;
  credentialed: boolean;
  /** The fetch resolved: the page could read the answer. */
  read: boolean;
  status?: number;
  /** The fetch's rejection: `TypeError: Failed to fetch` when the browser blocked it. */
  error?: string;
  /** The browser's console errors about this call (its CORS verdict in words). */
  console: string[];
}

const FETCH_TIMEOUT_MS = 10_000;
const SAFE = new Set(['GET', 'HEAD']);

export function corsCalls(routes: readonly CorsRoute[], sample: Sample): CorsCall[] {
  return routes.map((r) => {
    const spec = typeof r === 'string' ? { route: r } : r;
    const route = parseRoute(spec.route);
    const body = 'body' in spec && spec.body ? spec.body(sample) : undefined;
    return { route, ...(body !== undefined ? { body } : {}), headers: ('headers' in spec && spec.headers) || {}, write: !SAFE.has(route.method) };
  });
}

/** What a page's credentialed calls carry: a tenant's token, or a placeholder where shipgate makes no identity. */
export interface Credential {
  /** How evidence names it: `tenant-1`, `a placeholder credential`. */
  label: string;
  token: string;
  transport: Transport;
}

/**
 * The credential of the calls "with credentials": a tenant's token, except on production (making a
 * tenant is a write) or without an identities block, where a placeholder token travels the same
 * way: CORS is decided before authentication, so the browser's verdict is the same.
 */
export async function credentialFor(c: CheckContext): Promise<Credential> {
  const transport: Transport = c.target.profile.identities?.transport ?? { scheme: 'Bearer' };
  if (c.target.profile.kind === 'production' || !c.target.profile.identities) {
    return { label: 'a placeholder credential (no identity is made on this target)', token: 'shipgate-cors-probe', transport };
  }
  const [tenant] = await c.target.tenants.pair();
  return { label: tenant.label, token: tenant.token, transport: tenant.client.transport };
}

/** Whether the credential is a real one, whose calls the API answers as the user. */
export const isPlaceholder = (cred: Credential) => cred.token === 'shipgate-cors-probe';

/** How the credential travels from a page: a header the script sets, or a cookie in the browser. */
export function pageCredentials(cred: Credential): { header?: [string, string]; cookie?: { name: string; value: string } } {
  const transport = cred.transport;
  if ('cookie' in transport) return { cookie: { name: transport.cookie, value: cred.token } };
  const name = credentialHeader(transport);
  return { header: [name, 'scheme' in transport ? `${transport.scheme} ${cred.token}` : cred.token] };
}

/** The headers a browser names in the preflight of `call` (lower case, sorted), as the page sends them. */
export function preflightHeaders(call: CorsCall, credentialHeaderName: string | undefined): string[] {
  const names = [...Object.keys(call.headers), ...(call.body !== undefined ? ['content-type'] : []), ...(credentialHeaderName ? [credentialHeaderName] : [])];
  return [...new Set(names.map((n) => n.toLowerCase()))].sort();
}

/**
 * Opens a page at `at` and makes each call from it with fetch, with the tenant's credentials and
 * without, in the web app's credentials mode. What the page can read is what the browser allowed.
 */
export async function callFromPage(
  session: BrowserSession,
  at: PageOrigin,
  calls: CorsCall[],
  o: { apiBase: string; credential: Credential; mode: 'include' | 'omit' },
): Promise<PageOutcome[]> {
  const creds = pageCredentials(o.credential);
  const apiOrigin = new URL(o.apiBase).origin;
  const opened = await session.open(at, creds.cookie ? { cookies: [{ ...creds.cookie, url: apiOrigin }] } : {});
  const consoleErrors: string[] = [];
  opened.page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  try {
    const plan = calls.flatMap((call) =>
      [true, false].map((credentialed) => ({
        call,
        credentialed,
        url: new URL(call.route.path, o.apiBase).toString(),
        init: {
          method: call.route.method,
          headers: {
            ...call.headers,
            ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(credentialed && creds.header ? { [creds.header[0]]: creds.header[1] } : {}),
          },
          ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
          credentials: credentialed ? o.mode : 'omit',
          mode: 'cors',
          cache: 'no-store',
        },
      })),
    );
    const results = await opened.page.evaluate(
      async ({ requests, timeoutMs }) => {
        const out: { read: boolean; status?: number; error?: string }[] = [];
        for (const r of requests) {
          try {
            // eslint-disable-next-line no-restricted-globals -- the page's own fetch, in the browser (BrowserSession keeps it to reads on a read-only target)
            const res = await fetch(r.url, { ...(r.init as RequestInit), signal: AbortSignal.timeout(timeoutMs) });
            await res.text();
            out.push({ read: true, status: res.status });
          } catch (err) {
            out.push({ read: false, error: `${(err as Error).name}: ${(err as Error).message}` });
          }
        }
        return out;
      },
      { requests: plan.map((p) => ({ url: p.url, init: p.init })), timeoutMs: FETCH_TIMEOUT_MS },
    );
    return plan.map((p, i) => {
      const r = results[i]!;
      const path = p.call.route.path;
      return {
        call: p.call,
        credentialed: p.credentialed,
        read: r.read,
        ...(r.status !== undefined ? { status: r.status } : {}),
        ...(r.error !== undefined ? { error: r.error } : {}),
        console: consoleErrors.filter((m) => m.includes(path)),
      };
    });
  } finally {
    await opened.close();
  }
}

/** The browser's side of an outcome, for evidence (the token shown by its label). */
export function describeOutcome(at: PageOrigin, o: PageOutcome, cred: Credential, mode: 'include' | 'omit', apiBase: string): string {
  const how = o.credentialed ? `with ${cred.label}'s credentials (credentials: '${mode}')` : "without credentials (credentials: 'omit')";
  const lines = [
    `page: ${at.origin}/ (${at.routed ? "served by the browser's routing for the navigation only" : "shipgate's page server"})`,
    `fetch('${new URL(o.call.route.path, apiBase).toString()}', { method: '${o.call.route.method}' }) ${how}`,
    o.read ? `→ the page read the answer: ${o.status}` : `→ ${o.error}`,
    ...o.console.map((m) => `browser console: ${m}`),
  ];
  return lines.join('\n');
}

/** The same call sent by shipgate with the page's Origin: the preflight, and the call itself when it is safe to send. */
export async function rawExchanges(
  target: Target,
  cred: Credential,
  origin: string,
  call: CorsCall,
  credentialed: boolean,
  o: { sendWrites: boolean },
): Promise<{ preflight: HttpResult; actual?: HttpResult }> {
  const creds = pageCredentials(cred);
  const requested = preflightHeaders(call, credentialed ? creds.header?.[0] : undefined);
  const preflight = await target.anonymous.send({
    method: 'OPTIONS',
    path: call.route.path,
    headers: { origin, 'access-control-request-method': call.route.method, ...(requested.length ? { 'access-control-request-headers': requested.join(',') } : {}) },
    token: null,
    label: `preflight of ${call.route.method} ${call.route.path} from ${origin}`,
  });
  if (call.write && !o.sendWrites) return { preflight };
  const actual = await target.anonymous.send({
    method: call.route.method,
    path: call.route.path,
    ...(call.body !== undefined ? { body: call.body } : {}),
    headers: { ...call.headers, origin },
    token: credentialed ? cred.token : null,
    label: `${call.route.method} ${call.route.path} from ${origin} ${credentialed ? `with ${cred.label}'s credentials` : 'without credentials'}`,
  });
  return { preflight, actual };
}
