import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the broker received, with what it was sent. */
export interface BrokerCall {
  method: string;
  path: string;
  authorization?: string;
  body?: unknown;
}

export interface FakeBroker {
  url: string;
  calls: BrokerCall[];
  close(): Promise<void>;
}

/**
 * The part of a Pact Broker the verifier uses: the HAL index, "pacts for verification" for a
 * provider, each pact, and the link results are published to. Every call is kept, so a test can
 * see what the verifier asked for, with which credentials, and whether it published.
 * `noBranches`: a broker that cannot record a provider version's branch.
 */
export async function startFakeBroker(o: { provider: string; pacts: Record<string, unknown>[]; token: string; noBranches?: boolean }): Promise<FakeBroker> {
  const calls: BrokerCall[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      calls.push({ method: req.method ?? '', path, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(raw ? { body: JSON.parse(raw) as unknown } : {}) });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/hal+json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${o.token}`) return send(401, { error: 'a broker token is required' });
      if (req.method === 'GET' && path === '/') {
        return send(200, { _links: { 'pb:provider-pacts-for-verification': { href: `${base}/pacts/provider/{provider}/for-verification`, templated: true } } });
      }
      // The verifier follows the link with a GET first, then POSTs its selectors to the resource's self link.
      if (req.method === 'GET' && path === `/pacts/provider/${o.provider}/for-verification`) return send(200, { _links: { self: { href: `${base}${path}` } } });
      if (req.method === 'POST' && path === `/pacts/provider/${o.provider}/for-verification`) {
        return send(200, {
          _embedded: {
            pacts: o.pacts.map((p, i) => ({
              shortDescription: `latest pact of ${(p.consumer as { name: string }).name}`,
              verificationProperties: { pending: false, notices: [{ when: 'before_verification', text: `verifying pact ${i} from the fake broker` }] },
              _links: { self: { href: `${base}/pacts/${i}`, name: `pact ${i}` } },
            })),
          },
          _links: { self: { href: `${base}${path}` } },
        });
      }
      const pact = /^\/pacts\/(\d+)$/.exec(path);
      if (req.method === 'GET' && pact) {
        const i = Number(pact[1]);
        return send(200, {
          ...o.pacts[i],
          _links: { self: { href: `${base}/pacts/${i}` }, 'pb:provider': { href: `${base}/pacticipants/${o.provider}` }, 'pb:publish-verification-results': { href: `${base}/pacts/${i}/verification-results` } },
        });
      }
      // With a provider branch, the verifier records the provider version on it before publishing.
      if (req.method === 'GET' && path === `/pacticipants/${o.provider}`) {
        if (o.noBranches) return send(200, { name: o.provider, _links: { self: { href: `${base}${path}` } } });
        return send(200, { name: o.provider, _links: { self: { href: `${base}${path}` }, 'pb:branch-version': { href: `${base}${path}/branches/{branch}/versions/{version}`, templated: true } } });
      }
      if (req.method === 'PUT' && path.startsWith(`/pacticipants/${o.provider}/branches/`)) return send(200, { _links: { self: { href: `${base}${path}` } } });
      if (req.method === 'POST' && /^\/pacts\/\d+\/verification-results$/.test(path)) return send(201, { _links: { self: { href: `${base}${path}/1` } } });
      return send(404, { error: `the fake broker has no ${req.method} ${path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, calls, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
