import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FindingError } from '../../harness/findings/finding.ts';
import type { HttpResult } from '../../harness/http/client.ts';
import type { RecordedCall } from '../../harness/provider-double/calls.ts';
import { checkOwnDocuments } from '../../suites/adapter-contracts/own-documents.ts';
import type { Endpoint, TrialEnv } from '../../suites/adapter-contracts/run-trial.ts';
import { TenantLocks } from '../../suites/adapter-contracts/tenant-locks.ts';
import { opUnderTest } from '../../suites/adapter-contracts/trials.ts';

const answer = (json: unknown): HttpResult => ({
  status: 200,
  headers: {},
  text: JSON.stringify(json),
  json,
  exchange: { instance: 0, request: { method: 'POST', url: '/v1/ask', headers: {} }, response: { status: 200, headers: {}, body: JSON.stringify(json) }, ms: 1 },
});

const recorded = (op: string, scriptId: string): RecordedCall => ({
  seq: 1,
  at: '',
  method: 'POST',
  path: '/v1/x',
  kind: 'chat',
  op,
  user: null,
  request: { headers: {}, body: '', bytes: 0 },
  script: { id: scriptId },
  outcome: 'answered',
  response: { status: 500, bytes: 2, body: '{}' },
  ms: 1,
});

const embeddings = opUnderTest('embeddings', { contract: z.object({ data: z.array(z.unknown()) }), kind: 'embeddings', degrades: true });
const answerOp = opUnderTest('answer_query', { contract: z.object({ answer: z.string() }), kind: 'chat', degrades: false });

/**
 * A system under test in miniature: each question is a new marker; it calls the provider ops
 * `calls(marker)` names (a cache would name none) and answers `shows(failing)` as the ids.
 */
async function ownDocuments(o: { calls: (op: string) => boolean; shows: (failing: string | undefined) => string[] }) {
  const scripts = new Map<string, { marker: string; op: string; failing: boolean }>();
  const served: RecordedCall[] = [];
  const markers: string[] = [];
  let n = 0;
  const env = {
    control: {
      script: async (s: { match: { contains: string; op: string }; respond: { type: string } }) => {
        const id = `s${++n}`;
        scripts.set(id, { marker: s.match.contains, op: s.match.op, failing: s.respond.type === 'status' });
        return { id, remove: async () => {} };
      },
      settled: async (f: { script: string }) => served.filter((c) => c.script?.id === f.script),
      calls: async () => [],
    },
    client: {
      send: async (r: { body: { question: string } }) => {
        markers.push(r.body.question);
        let failing: string | undefined;
        for (const [id, s] of scripts) {
          if (s.marker !== r.body.question || !o.calls(s.op)) continue;
          served.push(recorded(s.op, id));
          if (s.failing) failing = s.op;
        }
        return answer({ ids: o.shows(failing) });
      },
    },
    owner: 'test',
    instances: 1,
    locks: new TenantLocks(),
  } as unknown as TrialEnv;
  const endpoint = {
    name: 'ask',
    spec: { route: 'POST /v1/ask', body: ({ marker }: { marker: string }) => ({ question: marker }), cites: { resource: 'document', ids: (b: { ids: string[] }) => b.ids } },
    witness: { none: 'test' },
  } as unknown as Endpoint;
  let tenants = 0;
  let unique = 0;
  const c = {
    target: { tenants: { create: async () => ({ label: `tenant-${++tenants}`, token: 't', principal: { tenantId: `org-${tenants}` }, client: env.client }) } },
    sample: { unique: (p: string) => `${p}-${++unique}` },
  } as never;
  const resource = { name: 'document', call: async (t: { label: string }, _op: string, a: { id: string }) => ({ ...answer({}), status: a.id.startsWith(t.label) ? 200 : 404 }) } as never;
  const err = await checkOwnDocuments(c, env, endpoint, [embeddings, answerOp], resource).then(
    () => undefined,
    (e: unknown) => {
      if (e instanceof FindingError) return e;
      throw e;
    },
  );
  return { err, markers };
}

describe("the caller's own documents, also when a provider operation fails", () => {
  it('sends each scenario with its own marker and passes a system that shows only its own documents', async () => {
    const { err, markers } = await ownDocuments({ calls: () => true, shows: () => ['tenant-1-doc'] });
    expect(err).toBeUndefined();
    expect(markers).toHaveLength(3);
    expect(new Set(markers).size).toBe(3);
  });

  it('reports a foreign document shown on the fallback path', async () => {
    const { err } = await ownDocuments({ calls: () => true, shows: (failing) => (failing === 'embeddings' ? ['tenant-1-doc', 'tenant-2-doc'] : ['tenant-1-doc']) });
    expect(err?.finding.code).toBe('ADAPTER_FOREIGN_DOCUMENT');
    expect(err?.finding.title).toMatch(/while embeddings fails/);
  });

  it('is a precondition naming the scenario when the double never served the failure (an embeddings cache, say)', async () => {
    // The foreign document would show on the fallback, but the fallback never runs: the check must not pass.
    const { err } = await ownDocuments({ calls: (op) => op !== 'embeddings', shows: (failing) => (failing === 'embeddings' ? ['tenant-2-doc'] : ['tenant-1-doc']) });
    expect(err?.finding.code).toBe('CHECK_PRECONDITION');
    expect(err?.finding.title).toMatch(/never called embeddings while "embeddings fails \(HTTP 500\)" was scripted/);
  });

  it('is a precondition when a degrading operation fails and the answer shows no document (the fallback was not seen)', async () => {
    const { err } = await ownDocuments({ calls: () => true, shows: (failing) => (failing === 'embeddings' ? [] : ['tenant-1-doc']) });
    expect(err?.finding.code).toBe('CHECK_PRECONDITION');
    expect(err?.finding.title).toMatch(/showed no document while embeddings fails/);
  });

  it('accepts a marked fallback that shows no document when an operation that does not degrade fails', async () => {
    const { err } = await ownDocuments({ calls: () => true, shows: (failing) => (failing === 'answer_query' ? [] : ['tenant-1-doc']) });
    expect(err).toBeUndefined();
  });
});
