import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../harness/http/client.ts';
import { withCredentials } from '../../harness/http/credentials.ts';
import { redactor } from '../../harness/http/redact.ts';
import { IdentityError, Tenants } from '../../harness/identities/tenants.ts';
import { retryAfterMs } from '../../harness/identities/retry-after.ts';
import { validateProfile } from '../../harness/profile/load.ts';
import { minimalProfile } from '../support/profile.ts';
import type { IdentityContext } from '../../harness/identities/principal.ts';

/** A sign-up endpoint that answers 429 (Retry-After: 0) to the first `throttle` calls of each burst. */
let throttle = 0;
let signUps = 0;
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (throttle > 0) {
      throttle -= 1;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
      return res.end('{"errors":{"signup":["too many"]}}');
    }
    signUps += 1;
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: signUps, token: `token-of-user-${signUps}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function tenants(o: { pool?: number; retryWithinMs?: number } = {}) {
  const profile = validateProfile(
    {
      ...minimalProfile('ephemeral', base),
      identities: {
        tenantIs: 'user',
        ...o,
        newTenant: async ({ http }: IdentityContext) => {
          const user = await http.json<{ id: number; token: string }>('POST', '/users');
          return { userId: String(user.id), token: user.token };
        },
      },
    },
    'x',
  );
  return new Tenants(profile, new HttpClient({ baseUrls: [base], timeoutMs: 2_000 }));
}

describe('identities: a small pool, reused, and sign-ups that wait out a 429', () => {
  it('reuses a pool of tenants across calls instead of signing up every time, and counts them', async () => {
    const t = tenants({ pool: 3 });
    const pairs = [await t.pair(), await t.pair(), await t.pair(), await t.pair()];
    const ids = new Set(pairs.flat().map((x) => x.principal.tenantId));
    expect(ids.size).toBe(3);
    for (const [a, b] of pairs) expect(a.principal.tenantId).not.toBe(b.principal.tenantId);
    expect(t.counts).toEqual({ made: 3, throttled: 0 });
    // With each user its own tenant, the user id is the tenant id.
    expect(pairs[0]![0].principal.userId).toBe(pairs[0]![0].principal.tenantId);
  });

  it('retries a sign-up answered 429 after its Retry-After, and says so in the counts', async () => {
    const t = tenants();
    throttle = 2;
    const made = await t.create();
    expect(made.token).toMatch(/^token-of-user-/);
    expect(t.counts).toEqual({ made: 1, throttled: 2 });
  });

  it('says how many identities it had and that it needed more when the 429s outlast the bound', async () => {
    const t = tenants({ retryWithinMs: 0 });
    await t.create();
    throttle = 5;
    const err = await t.create().catch((e: unknown) => e);
    throttle = 0;
    expect(err).toBeInstanceOf(IdentityError);
    expect((err as Error).message).toMatch(/answered 429 .* this suite file had 1 identities and needed one more\. Raise identities\.retryWithinMs/);
  });

  it('reads Retry-After as seconds or a date, and backs off without one', () => {
    expect(retryAfterMs('2', 1)).toBe(2_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 1, 7_000)).toBe(3_000);
    expect(retryAfterMs(undefined, 1)).toBe(250);
    expect(retryAfterMs(undefined, 3)).toBe(1_000);
    expect(retryAfterMs('3600', 1)).toBe(30_000);
  });
});

describe('credential transports', () => {
  it('sends the token as the profile says, and never shows an API key header', () => {
    expect(withCredentials({}, 'tok', { scheme: 'Token' })).toEqual({ authorization: 'Token tok' });
    expect(withCredentials({ cookie: 'a=b' }, 'tok', { cookie: 'session' })).toEqual({ cookie: 'a=b; session=tok' });
    expect(withCredentials({}, 'tok', { header: 'X-Shop-Key' })).toEqual({ 'x-shop-key': 'tok' });
    expect(redactor.headers({ 'x-shop-key': 'plain-key-value' })).toEqual({ 'x-shop-key': '«redacted»' });
  });
});
