import { describe, expect, it } from 'vitest';
import { HookError } from '../../harness/profile/hook-result.ts';
import { validateProfile } from '../../harness/profile/load.ts';
import { resourceApis } from '../../harness/resources/resource-api.ts';
import { minimalProfile } from '../support/profile.ts';

const base = minimalProfile('ephemeral', 'http://127.0.0.1:9');
const load = (extra: Record<string, unknown>) => validateProfile({ ...base, ...extra }, 'hooks.test.ts');
const doc = (spec: Record<string, unknown>) => load({ resources: { doc: { create: { route: 'POST /docs', body: () => ({ title: 't' }) }, ...spec } } });

/** What calling `f` throws, as a HookError. */
async function thrown(f: () => unknown): Promise<HookError> {
  try {
    await f();
  } catch (err) {
    expect(err).toBeInstanceOf(HookError);
    return err as HookError;
  }
  throw new Error('the hook call did not throw');
}

describe('hook results are checked where they are used, and a wrong one names the hook', () => {
  it('a wrong shape: the hook by its profile path, the value it returned, what it was given and what was expected', async () => {
    const p = doc({ create: { route: 'POST /docs', id: (b: { doc: unknown }) => b.doc } });
    const err = await thrown(() => p.resources.doc!.create.id!({ doc: { uuid: 'u-1' } }));
    expect(err.hook).toBe('resources.doc.create.id');
    expect(err.message).toBe('resources.doc.create.id returned {"uuid":"u-1"}, given {"doc":{"uuid":"u-1"}}; expected an id: a non-empty string or a number');
  });

  it('an async function where a value is expected', async () => {
    const p = doc({ create: { route: 'POST /docs', body: async () => ({ title: 't' }) } });
    const err = await thrown(() => p.resources.doc!.create.body!({ text: () => 'x' } as never));
    expect(err.message).toMatch(/^resources\.doc\.create\.body returned a Promise; it must return its value directly \(remove async\/await\): expected a JSON request body/);
  });

  it('a hook that throws: its name, the error and what it was given, not a TypeError from inside a suite', async () => {
    const p = doc({ create: { route: 'POST /docs', id: (b: { folder: { id: string } }) => b.folder.id } });
    const err = await thrown(() => p.resources.doc!.create.id!({ error: 'nope' }));
    expect(err.message).toBe(`resources.doc.create.id threw TypeError: Cannot read properties of undefined (reading 'id'), given {"error":"nope"}`);
  });

  it('names hooks in lists and records by their place, and keeps secrets out of the message', async () => {
    const p = load({
      identities: {
        tenants: [async () => ({ tenantId: 't1', token: 'opaque-token-0001' }), async () => ({ tenantId: 't2', token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', claims: 'sub=x' })],
        revocations: { 'password change': async () => ({ token: 42 }) },
      },
    });
    const principal = await thrown(() => p.identities!.tenants![1]!({} as never));
    expect(principal.hook).toBe('identities.tenants[1]');
    expect(principal.message).toContain('"token":"«redacted»"');
    expect(principal.message).not.toContain('eyJhbGci');
    expect(principal.message).toMatch(/; expected \{ tenantId\?, userId\?, token\? \| claims\?, data\? \}/);
    const revocation = await thrown(() => p.identities!.revocations!['password change']!({ sign: () => 'x' } as never, {} as never));
    expect(revocation.message).toBe(`identities.revocations['password change'] returned {"token":42}; expected nothing, or { token } with the token the system issued instead`);
    await expect(p.identities!.tenants![0]!({} as never)).resolves.toEqual({ tenantId: 't1', token: 'opaque-token-0001' });
  });

  it('normalises a null "none" to undefined where undefined is allowed, and passes good values through untouched', () => {
    const p = load({
      exports: {
        request: { route: 'POST /exports' },
        status: { route: 'GET /exports/{id}', state: (b: { status: string }) => ({ ready: 'done' })[b.status], holder: () => null },
        productions: { route: 'GET /exports/{id}/ledger', attempt: () => 2 },
      },
    });
    expect(p.exports!.status.holder!({})).toBeUndefined();
    expect(p.exports!.status.state({ status: 'ready' })).toBe('done');
    expect(p.exports!.productions.attempt!({})).toBe(2);
    expect(() => p.exports!.status.state({ status: 'preparing' })).toThrow("exports.status.state returned undefined, given {\"status\":\"preparing\"}; expected one of 'queued', 'running', 'done', 'failed'");
  });
});

describe('idOf reads list items, create.id the create answer', () => {
  it('a list item without an id stops the check with the hook to give, instead of hiding items', () => {
    const [api] = resourceApis(doc({ list: 'GET /docs' }));
    expect(api!.idOf({ id: 7 })).toBe('7');
    expect(() => api!.idOf({ uuid: 'x' })).toThrow('a doc list item has no id at `id` (resources.doc.idOf, default item.id): {"uuid":"x"}; give resources.doc.idOf: (item) => item.<its id>');
  });

  it('the create answer is read by create.id (default body.id) and never by idOf', () => {
    const [api] = resourceApis(doc({ idOf: (item: { uuid: string }) => item.uuid }));
    expect(api!.createdId({ id: 'c-1', uuid: 'u-1' })).toBe('c-1');
    expect(api!.createdId({ uuid: 'u-1' })).toBeUndefined();
    expect(api!.idOf({ id: 'c-1', uuid: 'u-1' })).toBe('u-1');
  });
});
