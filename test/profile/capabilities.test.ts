import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateProfile } from '../../harness/profile/load.ts';
import { minimalProfile, profileProblems } from '../support/profile.ts';
import { doubleUrls, providerDoubleFor } from '../../harness/provider-double/for-run.ts';
import { freePort } from '../../harness/provision/ports.ts';
import { LaunchError } from '../../harness/provision/processes.ts';
import { startProviderDouble } from '../../harness/provider-double/server.ts';
import { ProviderDoubleControl } from '../../harness/provider-double/control.ts';
import { pollUntil } from '../../harness/provision/poll.ts';
import { redactor } from '../../harness/http/redact.ts';

const minimal = minimalProfile('ephemeral', 'http://127.0.0.1:3000');

const problems = profileProblems;

const endpoint = {
  route: 'POST /v1/ask',
  contract: z.object({ answer: z.string(), fallback: z.boolean() }),
  ops: { answer_query: { contract: z.object({ answer: z.string() }) } },
};

describe('adapters, search and providerDouble in the profile', () => {
  it('accepts an adapters block and fills its defaults', () => {
    const p = validateProfile({ ...minimal, providerDouble: { url: 'http://127.0.0.1:4010/v1' }, adapters: { providerTimeoutMs: 2_000, endpoints: { ask: endpoint } } }, 'x');
    expect(p.adapters?.hugeBytes).toBe(8 * 1024 * 1024);
    expect(p.adapters?.endpoints.ask?.ops.answer_query).toMatchObject({ kind: 'chat', degrades: false });
    expect(p.adapters?.endpoints.ask?.observe).toEqual([]);
  });

  it('names a contract that is not a zod schema, and an endpoint without operations', () => {
    const found = problems({ ...minimal, adapters: { providerTimeoutMs: 2_000, endpoints: { ask: { ...endpoint, contract: { type: 'object' }, ops: {} } } } });
    expect(found).toEqual([
      'adapters.endpoints.ask.contract: expected a zod 4 schema (e.g. z.object({...}))',
      'adapters.endpoints.ask.ops: name at least one provider operation',
    ]);
  });

  it('makes an endpoint span several calls of one of its own operations', () => {
    const prepare = async () => {};
    const p = validateProfile({ ...minimal, adapters: { providerTimeoutMs: 2_000, endpoints: { ask: { ...endpoint, multiCall: { op: 'answer_query', prepare } } } } }, 'x');
    expect(p.adapters?.endpoints.ask?.multiCall).toMatchObject({ op: 'answer_query', calls: 3 });
    expect(problems({ ...minimal, adapters: { providerTimeoutMs: 2_000, endpoints: { ask: { ...endpoint, multiCall: { op: 'embeddings', calls: 1, prepare } } } } })).toEqual([
      'adapters.endpoints.ask.multiCall.calls: Too small: expected number to be >=2 (got 1)',
      "adapters.endpoints.ask.multiCall.op: 'embeddings' is not one of the endpoint's ops (answer_query)",
    ]);
  });

  it('refuses a provider double given twice (launched and named)', () => {
    const launch = { services: { api: { command: ['node', 'server.js'], http: {} } }, providerDouble: {} };
    const found = problems({ ...minimal, http: {}, launch, providerDouble: { port: 4010 } });
    expect(found).toEqual([expect.stringMatching(/^providerDouble: launch\.providerDouble already starts a double/)]);
  });

  it('fills the search defaults: k 3, depth 10, expected grade 2, all of them expected, 4 searches at once', () => {
    const p = validateProfile({ ...minimal, search: { index: { route: 'POST /v1/documents', body: () => ({}) }, query: { route: 'GET /v1/search?q={query}&limit={limit}' } } }, 'x');
    expect(p.search).toMatchObject({ k: 3, depth: 10, expectGrade: 2, expect: 'all', concurrency: 4, refresh: { calls: [] } });
  });
});

describe('the provider double of a system shipgate does not launch', () => {
  it('takes a URL with or without /v1', () => {
    expect(doubleUrls('http://127.0.0.1:4010/v1/')).toEqual({ apiBaseUrl: 'http://127.0.0.1:4010/v1', controlUrl: 'http://127.0.0.1:4010/_double' });
    expect(doubleUrls('http://127.0.0.1:4010')).toEqual({ apiBaseUrl: 'http://127.0.0.1:4010/v1', controlUrl: 'http://127.0.0.1:4010/_double' });
  });

  it("hands a user-run double's control token to the suites, and never shows it", async () => {
    const profile = validateProfile({ ...minimal, providerDouble: { url: 'http://10.0.0.5:4010/v1', controlToken: 'token-of-the-remote-double' } }, 'x');
    const found = await providerDoubleFor(profile);
    expect(found?.info).toEqual({ apiBaseUrl: 'http://10.0.0.5:4010/v1', controlUrl: 'http://10.0.0.5:4010/_double', started: false, controlToken: 'token-of-the-remote-double' });
    expect(redactor.scrub('Bearer token-of-the-remote-double')).toBe('Bearer «provider double control token»');
    expect(problems({ ...minimal, providerDouble: { url: 'http://10.0.0.5:4010', controlToken: 'short' } })).toEqual([expect.stringMatching(/^providerDouble\.controlToken: /)]);
  });

  it('starts one on the profile port, and says so clearly when the port is taken', async () => {
    const port = await freePort();
    const profile = validateProfile({ ...minimal, providerDouble: { port } }, 'x');
    const started = await providerDoubleFor(profile);
    expect(started?.info).toEqual({ apiBaseUrl: `http://127.0.0.1:${port}/v1`, controlUrl: `http://127.0.0.1:${port}/_double`, started: true });
    const err = await providerDoubleFor(profile).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect((err as Error).message).toMatch(new RegExp(`providerDouble.port ${port} is already in use.*providerDouble.url`));
    await started?.stop();
  });

  it('releases hung calls when it closes', async () => {
    const double = await startProviderDouble();
    await fetch(`${double.controlUrl}/scripts`, { method: 'POST', body: JSON.stringify({ respond: { type: 'hang' } }) });
    const waiting = fetch(`${double.apiBaseUrl}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'x' }) });
    const control = new ProviderDoubleControl(double.controlUrl);
    await pollUntil(async () => ((await control.calls()).some((c) => c.outcome === 'pending') ? true : undefined), { what: 'the call to be held', deadlineMs: 5_000 });
    await double.close();
    expect((await waiting).status).toBe(503);
  });
});
