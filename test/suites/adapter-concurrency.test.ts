import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { asFinding } from '../../harness/check/check.ts';
import { inCheckScope } from '../../harness/check/check-scope.ts';
import { containsToken, seededSample } from '../../harness/generate/sample.ts';
import { matches } from '../../harness/provider-double/scripts.ts';
import { HttpClient, type HttpResult } from '../../harness/http/client.ts';
import { Recording } from '../../harness/http/recorder.ts';
import type { Tenant } from '../../harness/identities/tenants.ts';
import { callEndpoint, newMarker, runTrial, type Endpoint, type TrialEnv } from '../../suites/adapter-contracts/run-trial.ts';
import { TenantLocks } from '../../suites/adapter-contracts/tenant-locks.ts';
import { opUnderTest, statusTrial } from '../../suites/adapter-contracts/trials.ts';

const tenant = (id: string) => ({ label: id, principal: { tenantId: id }, token: 't', client: {} }) as unknown as Tenant;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Runs `body` holding `tenants`, logging when it starts and ends. */
async function turn(locks: TenantLocks, log: string[], name: string, tenants: Tenant[], ms = 20): Promise<void> {
  await locks.hold(tenants, async () => {
    log.push(`${name} start`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    log.push(`${name} end`);
  });
}

describe('trials that share a tenant take turns', () => {
  it('never overlaps two trials of the same tenant (a pre-seeded one): the second starts after the first ends', async () => {
    const locks = new TenantLocks();
    const log: string[] = [];
    await Promise.all([turn(locks, log, 'a', [tenant('org-1')]), turn(locks, log, 'b', [tenant('org-1')]), turn(locks, log, 'c', [tenant('org-1')])]);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('runs trials of different tenants side by side', async () => {
    const locks = new TenantLocks();
    const log: string[] = [];
    await Promise.all([turn(locks, log, 'a', [tenant('org-1')]), turn(locks, log, 'b', [tenant('org-2')])]);
    expect(log.slice(0, 2).sort()).toEqual(['a start', 'b start']);
  });

  it('holds a tenant and its neighbour together, without deadlock when another holder takes them the other way round', async () => {
    const locks = new TenantLocks();
    const log: string[] = [];
    await Promise.all([
      turn(locks, log, 'own-documents', [tenant('org-1'), tenant('org-2')]),
      turn(locks, log, 'reversed', [tenant('org-2'), tenant('org-1')]),
      turn(locks, log, 'trial of org-2', [tenant('org-2')]),
    ]);
    // Each holder ran alone: every start is followed by its own end.
    for (let i = 0; i < log.length; i += 2) expect(log[i]!.replace('start', 'end')).toBe(log[i + 1]);
  });

  it('holds the same tenant given twice once (one pre-seeded tenant as both caller and neighbour)', async () => {
    const locks = new TenantLocks();
    let ran = false;
    await locks.hold([tenant('org-1'), tenant('org-1')], async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });

  it('lets go of the tenant when a trial fails, so the next trial of it still runs', async () => {
    const locks = new TenantLocks();
    await expect(locks.hold([tenant('org-1')], async () => Promise.reject(new Error('finding')))).rejects.toThrow('finding');
    let ran = false;
    await locks.hold([tenant('org-1')], async () => {
      await tick();
      ran = true;
    });
    expect(ran).toBe(true);
  });
});

describe("a trial's marker", () => {
  it('is never part of another marker, so a script matching one trial\'s calls never answers a concurrent trial\'s (…-1 against …-12)', () => {
    const c = { sample: seededSample(1) } as never;
    const endpoint = { name: 'ask' } as Endpoint;
    const markers = Array.from({ length: 120 }, () => newMarker(c, endpoint));
    expect(new Set(markers).size).toBe(markers.length);
    // As the provider double matches them (containsToken): …-1 is in no body that carries …-12.
    for (const m of markers) expect(markers.filter((other) => containsToken(other, m))).toEqual([m]);
    const [one] = markers;
    const twelve = `${one}2`;
    expect(matches({ contains: one }, { kind: 'chat', op: null, user: null, headers: {}, body: JSON.stringify({ content: twelve }) })).toBe(false);
    expect(matches({ contains: one }, { kind: 'chat', op: null, user: null, headers: {}, body: JSON.stringify({ content: `about ${one}.` }) })).toBe(true);
  });
});

describe('which instance a call goes to', () => {
  const answer: HttpResult = { status: 200, headers: {}, text: '{}', json: {}, exchange: { instance: 0, request: { method: 'POST', url: '/', headers: {} }, ms: 1 } };

  it("depends on the check alone (its first instance and its own calls), not on other checks' calls in between", async () => {
    const sent: { check: string; instance: number }[] = [];
    const endpoint = { name: 'ask', spec: { route: 'POST /v1/ask', contract: z.unknown(), ops: {} }, witness: { none: 'test' } } as unknown as Endpoint;
    const envFor = (check: string, firstInstance: number) =>
      ({
        instances: 2,
        firstInstance,
        client: {
          send: async (r: { instance: number }) => {
            sent.push({ check, instance: r.instance });
            return answer;
          },
        },
      }) as unknown as TrialEnv;
    const a = { sample: seededSample(1) } as never;
    const b = { sample: seededSample(1) } as never;
    const envA = envFor('a', 0);
    const envB = envFor('b', 1);
    // a, b, b, a, b, a: interleaved as concurrent checks would be.
    for (const [c, env, check] of [[a, envA, 'a'], [b, envB, 'b'], [b, envB, 'b'], [a, envA, 'a'], [b, envB, 'b'], [a, envA, 'a']] as const) {
      await callEndpoint(c, env, endpoint, tenant(check), 'm', 'call');
    }
    expect(sent.filter((s) => s.check === 'a').map((s) => s.instance)).toEqual([0, 1, 0]);
    expect(sent.filter((s) => s.check === 'b').map((s) => s.instance)).toEqual([1, 0, 1]);
  });
});

describe('two trials running side by side', () => {
  it("each finding's evidence, and each check's recording, names only its own requests", async () => {
    // A system in miniature that answers 500 (an ADAPTER_SERVER_ERROR) after a delay set per
    // question, so the two checks' calls overlap: a's goes out first and comes back last.
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const question = (JSON.parse(body) as { question: string }).question;
        setTimeout(() => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `failed on ${question}` })), question.includes('slow') ? 150 : 10);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new HttpClient({ baseUrls: [`http://127.0.0.1:${(server.address() as { port: number }).port}`], timeoutMs: 5_000 });
    const env = {
      control: {
        script: async () => ({ id: 's', remove: async () => {} }),
        settled: async () => [{ op: 'answer', outcome: 'answered', response: { status: 500, bytes: 2, body: '{}' } }],
        calls: async () => [],
      },
      client,
      budgetMs: 5_000,
      providerTimeoutMs: 1_000,
      owner: 'test',
      instances: 1,
      locks: new TenantLocks(),
      tried: () => {},
    } as unknown as TrialEnv;
    const endpoint = (name: string) =>
      ({ name, spec: { route: 'POST /v1/ask', body: ({ marker }: { marker: string }) => ({ question: marker }), contract: z.object({ answer: z.string() }), ops: {} }, witness: { none: 'test' } }) as unknown as Endpoint;
    const op = opUnderTest('answer', { contract: z.object({ text: z.string() }), kind: 'chat', degrades: false });
    let tenants = 0;
    const check = (name: string) => {
      const recording = new Recording();
      const c = { target: { tenants: { create: async () => tenant(`org-${++tenants}`) } }, sample: seededSample(7) } as never;
      return inCheckScope({ recording, removals: undefined, ended: false }, async () => {
        const err = await runTrial(c, env, endpoint(name), op, statusTrial(500)).then(
          () => undefined,
          (e: unknown) => e,
        );
        return { finding: asFinding(err, recording), recording };
      });
    };
    const [a, b] = await Promise.all([check('slow'), check('quick')]);
    await client.close();
    await new Promise((resolve) => server.close(resolve));

    const bodies = (xs: { request: { body?: string } }[]) => xs.map((x) => x.request.body ?? '');
    for (const [mine, theirs, result] of [['adapterslow', 'adapterquick', a], ['adapterquick', 'adapterslow', b]] as const) {
      expect(result.finding.code).toBe('ADAPTER_SERVER_ERROR');
      const shown = result.finding.evidence.flatMap((e) => (e.exchange ? [e.exchange] : []));
      expect(shown.length).toBeGreaterThan(0);
      for (const body of bodies(shown)) {
        expect(body).toContain(mine);
        expect(body).not.toContain(theirs);
      }
      expect(result.recording.exchanges).toHaveLength(1);
      expect(bodies(result.recording.exchanges)[0]).toContain(mine);
    }
  });
});
