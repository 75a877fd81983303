import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FindingError } from '../../harness/findings/finding.ts';
import type { HttpResult } from '../../harness/http/client.ts';
import type { RecordedCall } from '../../harness/provider-double/calls.ts';
import { runValid, type Endpoint, type TrialEnv } from '../../suites/adapter-contracts/run-trial.ts';
import { TenantLocks } from '../../suites/adapter-contracts/tenant-locks.ts';
import { Tally } from '../../suites/adapter-contracts/tally.ts';
import { FAILURE_CLASSES, opUnderTest } from '../../suites/adapter-contracts/trials.ts';
import { extractStructuredUpdatesV1 } from '../../contracts/provider/extract-structured-updates.ts';
import { embeddingsV1 } from '../../contracts/provider/embeddings.ts';

const answer = (json: unknown): HttpResult => ({
  status: 200,
  headers: {},
  text: JSON.stringify(json),
  json,
  exchange: { instance: 0, request: { method: 'POST', url: '/v1/ask', headers: {} }, response: { status: 200, headers: {}, body: JSON.stringify(json) }, ms: 1 },
});

const call = (outcome: RecordedCall['outcome']): RecordedCall => ({
  seq: 1,
  at: '',
  method: 'POST',
  path: '/v1/chat/completions',
  kind: 'chat',
  op: 'answer',
  user: null,
  request: { headers: {}, body: '', bytes: 0 },
  script: { id: 's1' },
  outcome,
  response: outcome === 'answered' ? { status: 200, bytes: 2, body: '{}' } : null,
  ms: 5,
});

/** runValid against a system that answers `json`, its provider call having ended as `outcome`. */
async function validRun(json: unknown, outcome: RecordedCall['outcome'], providerTimeoutMs = 60_000): Promise<FindingError | undefined> {
  const contract = z.object({ answer: z.string(), fallback: z.boolean() });
  const endpoint = { name: 'ask', spec: { route: 'POST /v1/ask', contract, ops: {}, observe: [], volatileFields: [] }, witness: { none: 'test' } } as unknown as Endpoint;
  const env = {
    control: { script: async () => ({ id: 's1', remove: async () => {} }), settled: async () => [call(outcome)], calls: async () => [] },
    client: { send: async () => answer(json) },
    budgetMs: 60_000,
    providerTimeoutMs,
    owner: 'test',
    instances: 1,
    locks: new TenantLocks(),
    tried: () => {},
  } as unknown as TrialEnv;
  const tenant = { label: 'tenant-1', token: 't', principal: { tenantId: 'org-1' }, client: env.client };
  const c = { target: { tenants: { create: async () => tenant } }, sample: { unique: (p: string) => `${p}-1` } } as never;
  const op = opUnderTest('answer', { contract: z.object({ text: z.string() }), kind: 'chat', degrades: false });
  return runValid(c, env, endpoint, [op]).then(
    () => undefined,
    (err: unknown) => {
      if (err instanceof FindingError) return err;
      throw err;
    },
  );
}

describe('a valid provider answer that came back as a fallback', () => {
  it('is the system refusing a valid answer when it answered in time', async () => {
    const err = await validRun({ answer: 'unavailable', fallback: true }, 'answered');
    expect(err?.finding.code).toBe('ADAPTER_VALID_ANSWER_REJECTED');
  });

  it("is a precondition, not a finding, when the system hung up on the double first (its timeout ran out on a loaded machine)", async () => {
    const err = await validRun({ answer: 'unavailable', fallback: true }, 'client-closed');
    expect(err?.finding.code).toBe('CHECK_PRECONDITION');
    expect(err?.finding.title).toMatch(/having hung up on answer before the double answered: its 60000 ms provider timeout ran out on a valid answer/);
    expect(err?.finding.promise).toMatch(/adapters\.providerTimeoutMs/);
  });

  it('is a precondition when the endpoint took at least the provider timeout to answer', async () => {
    const err = await validRun({ answer: 'unavailable', fallback: true }, 'answered', 0);
    expect(err?.finding.code).toBe('CHECK_PRECONDITION');
  });

  it('passes a normal answer', async () => {
    expect(await validRun({ answer: 'ok', fallback: false }, 'answered')).toBeUndefined();
  });
});

describe('the tally of provider answers tried', () => {
  const chat = opUnderTest('extract_structured_updates', { contract: extractStructuredUpdatesV1, kind: 'chat', degrades: false });
  const embeddings = opUnderTest('embeddings', { contract: embeddingsV1, kind: 'embeddings', degrades: false });

  it('names every class that applies and never reached the provider, the new ones included', () => {
    const tally = new Tally();
    for (const k of FAILURE_CLASSES) if (!['nul-character', 'refusal', 'out-of-range'].includes(k)) tally.add('capture', chat.name, k);
    expect(tally.untried('capture', chat)).toEqual(['out-of-range', 'nul-character', 'refusal']);
    // Counted per endpoint: the same operation of another endpoint has tried nothing.
    expect(tally.untried('plan', chat)).toHaveLength(FAILURE_CLASSES.length);
  });

  it('does not ask for classes that cannot apply (chat envelopes for embeddings, keys a lax contract allows)', () => {
    const tally = new Tally();
    const untried = tally.untried('sync', embeddings);
    expect(untried).not.toEqual(expect.arrayContaining(['no-choices']));
    expect(untried).not.toContain('extra-key');
    expect(untried).toEqual(expect.arrayContaining(['missing-key', 'outside-enum', 'too-short', 'nul-character', 'slow']));
    expect(tally.row('sync', embeddings)['classes not applicable']).toMatch(/extra-key.*no-choices, refusal, tool-calls/);
  });
});
