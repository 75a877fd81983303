import { fail, formatRoute, parseRoute, profileHttp, type CheckContext, type Evidence, type HttpResult, type ResourceApi } from 'shipgate';
import { ADAPTER_FINDINGS } from './findings.ts';
import { callEndpoint, preparedTenant, type Endpoint, type TrialEnv } from './run-trial.ts';
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
 * failing in turn (the fallback path, e.g. full-text search when embeddings fail). Every id the
 * answer shows is read back as the caller through `cites.resource`; one it cannot read is foreign.
 */
export async function checkOwnDocuments(c: CheckContext, env: TrialEnv, endpoint: Endpoint, ops: OpUnderTest[], resource: ResourceApi): Promise<void> {
  const cites = endpoint.spec.cites!;
  const routeText = formatRoute(parseRoute(endpoint.spec.route));
  const { tenant, marker } = await preparedTenant(c, endpoint);
  const neighbour = await c.target.tenants.create();
  await endpoint.spec.prepare?.({
    http: profileHttp(neighbour.client, { asCaller: true, label: `prepare ${endpoint.name} for the neighbour` }),
    marker,
    sample: c.sample,
    tenantId: neighbour.principal.tenantId,
  });
  const scenarios: Scenario[] = [{ words: 'every provider operation answers validly' }, ...ops.map((op) => ({ words: `${op.name} fails (HTTP 500)`, failing: op }))];
  for (const scenario of scenarios) {
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
    if (ids.length === 0 && !scenario.failing) {
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

