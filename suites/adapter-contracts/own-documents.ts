import { fail, formatRoute, parseRoute, type CheckContext, type Evidence, type HttpResult, type ResourceApi, type Tenant } from 'shipgate';
import { ADAPTER_FINDINGS } from './findings.ts';
import { callEndpoint, newMarker, prepareFor, type Endpoint, type TrialEnv } from './run-trial.ts';
import type { OpUnderTest } from './trials.ts';

const ok = (r: HttpResult) => r.status >= 200 && r.status < 300;

function precondition(title: string, promise: string, evidence: Evidence[]): never {
  return fail({ code: 'CHECK_PRECONDITION', title, promise, severity: 'high', evidence });
}

/** One way of answering the endpoint's provider calls: all valid, or one operation failing. */
interface Scenario {
  words: string;
  failing?: OpUnderTest;
}

/**
 * The documents an answer shows must all be the caller's own, whatever the provider does: a
 * neighbour tenant holds a document with the same marker (so a search that forgets the tenant
 * finds it), then the endpoint is called with every operation answering, and with each one
 * failing in turn (the fallback path, e.g. full-text search when embeddings fail). Each scenario
 * has its own marker (so its request differs from the others and a system that caches by request
 * text still calls the provider), and a failing scenario counts only if the double served the
 * failure. Every id the answer shows is read back as the caller through `cites.resource`; one it
 * cannot read is foreign. An answer that shows no document could not show a foreign one: that is a
 * precondition, never a pass. Both tenants are held for the whole check (see tenant-locks.ts): the
 * neighbour's prepare writes, which another trial of a pre-seeded tenant would see as its own write.
 */
export async function checkOwnDocuments(c: CheckContext, env: TrialEnv, endpoint: Endpoint, ops: OpUnderTest[], resource: ResourceApi): Promise<void> {
  const tenant = await c.target.tenants.create();
  const neighbour = await c.target.tenants.create();
  await env.locks.hold([tenant, neighbour], () => ownDocumentsOf(c, env, endpoint, ops, resource, tenant, neighbour));
}

async function ownDocumentsOf(c: CheckContext, env: TrialEnv, endpoint: Endpoint, ops: OpUnderTest[], resource: ResourceApi, tenant: Tenant, neighbour: Tenant): Promise<void> {
  const cites = endpoint.spec.cites!;
  const routeText = formatRoute(parseRoute(endpoint.spec.route));
  const scenarios: Scenario[] = [{ words: 'every provider operation answers validly' }, ...ops.map((op) => ({ words: `${op.name} fails (HTTP 500)`, failing: op }))];
  for (const scenario of scenarios) {
    const marker = newMarker(c, endpoint);
    await prepareFor(c, endpoint, tenant, marker, `prepare ${endpoint.name} (${scenario.words})`);
    await prepareFor(c, endpoint, neighbour, marker, `prepare ${endpoint.name} for the neighbour (${scenario.words})`);
    const scripts = await Promise.all(
      ops.map((op) =>
        env.control.script({
          match: { contains: marker, op: op.name },
          respond: op === scenario.failing ? { type: 'status', status: 500 } : { type: 'default' },
          owner: env.owner,
          label: `${endpoint.name} own documents: ${scenario.words}`,
        }),
      ),
    );
    let res: HttpResult;
    try {
      ({ res } = await callEndpoint(c, env, endpoint, tenant, marker, `${tenant.label} calls ${routeText} while ${scenario.words}`));
    } finally {
      await Promise.all(scripts.map((s) => s.remove()));
    }
    if (scenario.failing) {
      const failing = scenario.failing;
      const served = await env.control.settled({ script: scripts[ops.indexOf(failing)]!.id }, 10_000);
      if (served.length === 0) {
        const seen = await env.control.calls({ contains: marker });
        precondition(
          `${routeText} never called ${failing.name} while "${scenario.words}" was scripted (no ${failing.name} call carried this scenario's marker ${marker}), so its answer without ${failing.name} was not seen: does it answer from a cache, or not forward the request's text?`,
          `the endpoint calls ${failing.name} on the provider double for a request it has not seen before, forwarding the marker (adapters.endpoints.${endpoint.name}.ops, body, prepare)`,
          [
            { label: 'the call', exchange: res.exchange },
            { label: 'provider calls that carried the marker', data: seen.map((x) => ({ op: x.op, kind: x.kind, outcome: x.outcome })) },
          ],
        );
      }
    }
    if (!ok(res)) {
      // A failing provider answered with an error is the other checks' finding; with valid answers there is nothing to look at.
      if (scenario.failing) continue;
      precondition(`${routeText} answered ${res.error ?? res.status} with valid provider answers, so the documents it shows could not be checked`, 'the endpoint answers 2xx when its provider answers validly', [
        { label: 'the call', exchange: res.exchange },
      ]);
    }
    let ids: string[];
    try {
      ids = [...new Set(cites.ids(res.json).map(String))];
    } catch (err) {
      precondition(`adapters.endpoints.${endpoint.name}.cites.ids could not read the answer: ${(err as Error).message}`, 'cites.ids picks the document ids out of an answer', [{ label: 'the call', exchange: res.exchange }]);
    }
    if (ids.length === 0) {
      // Without an operation that does not degrade, a marked fallback may rightly show nothing;
      // one that degrades (embeddings behind full text) must still answer normally, with documents.
      if (scenario.failing && !scenario.failing.degrades) continue;
      precondition(
        `${routeText} showed no document while ${scenario.words}, so a foreign one could not be seen either`,
        `the endpoint shows the document its prepare made (adapters.endpoints.${endpoint.name}.prepare and cites.ids)`,
        [{ label: 'the call', exchange: res.exchange }],
      );
    }
    for (const id of ids) {
      const own = await resource.call(tenant, 'read', { id }, { label: `${tenant.label} reads ${resource.name} ${id}, which the answer shows` });
      if (ok(own)) continue;
      const theirs = await resource.call(neighbour, 'read', { id }, { label: `${neighbour.label} reads ${resource.name} ${id}` });
      const whose = ok(theirs) ? `${neighbour.label}'s` : "another tenant's (the caller cannot read it)";
      fail({
        code: 'ADAPTER_FOREIGN_DOCUMENT',
        title: `${routeText} showed ${tenant.label} ${whose} ${resource.name} ${id} while ${scenario.words}`,
        ...ADAPTER_FINDINGS.ADAPTER_FOREIGN_DOCUMENT,
        expected: `only ${tenant.label}'s own documents`,
        actual: `${resource.name} ${id}, which ${tenant.label} reads as ${own.status}`,
        evidence: [
          { label: `${tenant.label}'s call (${scenario.words})`, exchange: res.exchange },
          { label: `${tenant.label} reads it`, exchange: own.exchange },
          { label: `${neighbour.label} reads it`, exchange: theirs.exchange },
        ],
      });
    }
  }
}

