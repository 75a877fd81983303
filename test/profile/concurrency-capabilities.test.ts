import { describe, expect, it } from 'vitest';
import { loadProfile, validateProfile } from '../../harness/profile/load.ts';
import { profileProblems } from '../support/profile.ts';
import { EMBEDDED_CONFIG } from '../../harness/cli/package-info.ts';

const launched = {
  name: 'api',
  kind: 'ephemeral',
  launch: {
    services: {
      api: { command: ['node', 'server.js'], http: { portEnv: 'PORT', readiness: '/ready' } },
      worker: { command: ['node', 'worker.js'], instances: 2, readyLog: 'worker ready' },
    },
  },
  identities: { newTenant: async () => ({ tenantId: 't', token: 'x' }) },
};
const exportsBlock = {
  request: { route: 'POST /v1/exports' },
  status: { route: 'GET /v1/exports/{id}', state: () => 'done' },
  productions: { route: 'GET /v1/exports/{id}/ledger' },
};

const problems = profileProblems;

describe('concurrency capability blocks', () => {
  it('the reference profile declares every block the five concurrency suites need', async () => {
    const p = await loadProfile(EMBEDDED_CONFIG);
    expect(p.jobClaim?.claim.route).toBe('POST /v1/jobs/{job}/claim');
    expect(p.jsonbMerge?.merge.route).toBe('PATCH /v1/preferences/{doc}');
    expect(Object.keys(p.idempotency?.endpoints ?? {})).toEqual(['evidence']);
    expect(p.idempotency?.firstLogin?.route).toBe('POST /auth/sync-user');
    expect(p.exports?.workers).toMatchObject({ service: 'worker', idEnv: 'EXPORT_WORKER_ID' });
    expect(p.launch?.services.worker?.http).toBeUndefined();
  });

  it('fills the documented defaults', () => {
    const p = validateProfile({ ...launched, exports: { ...exportsBlock, workers: { service: 'worker', idEnv: 'WORKER_ID', leaseMs: 1000 } } }, 'x');
    expect(p.exports?.completeWithinMs).toBe(30_000);
    expect(p.exports?.workers?.recoveryBoundMs).toBe(5_000);
    const i = validateProfile({ ...launched, idempotency: { endpoints: { upload: { route: 'POST /u', request: () => ({ body: {} }) } } } }, 'x');
    expect(i.idempotency?.endpoints.upload?.header).toBe('Idempotency-Key');
    // A capability list pages by the same named styles as a resource list, with their defaults.
    const paged = validateProfile({ ...launched, idempotency: { endpoints: { upload: { route: 'POST /u', request: () => ({ body: {} }), list: { route: 'GET /u', paging: { style: 'page' } } } } } }, 'x');
    expect(paged.idempotency?.endpoints.upload?.list?.paging).toEqual({ style: 'page', param: 'page', first: 1 });
    expect(problems({ ...launched, exports: { ...exportsBlock, list: { route: 'GET /v1/exports', paging: { style: 'pages' } } } })[0]).toMatch(/^exports\.list\.paging\.style: /);
  });

  it('names a worker service that is not launched, or that is an HTTP service', () => {
    expect(problems({ ...launched, exports: { ...exportsBlock, workers: { service: 'workers', idEnv: 'W', leaseMs: 1000 } } })).toEqual([
      "exports.workers.service: no launched service named 'workers' (known: api, worker)",
    ]);
    expect(problems({ ...launched, exports: { ...exportsBlock, workers: { service: 'api', idEnv: 'W', leaseMs: 1000 } } })).toEqual([
      "exports.workers.service: 'api' is an HTTP service; name the worker service (no http block)",
    ]);
  });

  it('counts first-login records only with a database to count them in', () => {
    const firstLogin = { route: 'POST /auth/sync-user', identity: async () => ({ token: 't', subject: 's' }), ids: () => ({ user: 'u', tenant: 't' }), records: { sql: 'SELECT 1' } };
    expect(problems({ ...launched, idempotency: { firstLogin } })).toEqual([
      'idempotency.firstLogin.records: the records are counted by SQL on the database behind the API: add a `database` block',
    ]);
    const p = validateProfile({ ...launched, launch: { ...launched.launch, database: {} }, database: {}, idempotency: { firstLogin }, exports: { ...exportsBlock, list: { route: 'GET /v1/exports' } } }, 'x');
    expect(p.idempotency?.firstLogin?.records?.sql).toBe('SELECT 1');
    expect(p.exports?.list?.route).toBe('GET /v1/exports');
  });

  it('rejects an idempotency block with nothing to check, and a route without a method', () => {
    expect(problems({ ...launched, idempotency: {} })).toEqual(['idempotency.endpoints: give at least one endpoint or firstLogin']);
    expect(problems({ ...launched, jobClaim: { claim: { route: '/v1/jobs/{job}/claim' } } })[0]).toMatch(/^jobClaim\.claim\.route: expected 'METHOD \/path'/);
  });
});
