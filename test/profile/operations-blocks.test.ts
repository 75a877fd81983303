import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateProfile } from '../../harness/profile/load.ts';
import { planSuites } from '../../harness/run/verify.ts';
import { discoverSuites } from '../../harness/suites/registry.ts';
import { minimalProfile, profileProblems } from '../support/profile.ts';
import { ROOT } from '../support/cli.ts';

const minimal = minimalProfile('ephemeral', 'http://127.0.0.1:3000');
const launch = {
  database: {},
  services: {
    api: { command: ['node', 'server.js'], http: {} },
    worker: { command: ['node', 'worker.js'] },
  },
};
const health = { liveness: 'GET /liveness', readiness: { route: 'GET /readiness', timeoutMs: 2_000 } };
const launched = { name: 'api', kind: 'ephemeral', launch, identities: minimal.identities };

describe('the health block', () => {
  it('fills its defaults: liveness 200, ready 200, not-ready 503, no cache, faults found from the launch block', () => {
    const p = validateProfile({ ...minimal, health }, 'x');
    expect(p.health).toMatchObject({
      liveness: { route: 'GET /liveness', status: 200 },
      readiness: { route: 'GET /readiness', timeoutMs: 2_000, status: 200, notReady: { status: 503 } },
      faults: {},
    });
    expect(p.health?.readiness.cacheMs).toBeUndefined();
  });

  it('takes a dependency report with states as one value or several', () => {
    const p = validateProfile(
      {
        ...minimal,
        health: {
          ...health,
          report: { route: 'GET /health', contract: z.object({ version: z.string() }), dependencies: { postgres: { state: (b: { db: string }) => b.db, up: 'ok', down: ['down', 'degraded'] } }, database: 'postgres' },
        },
      },
      'x',
    );
    expect(p.health?.report?.dependencies.postgres).toMatchObject({ up: ['ok'], down: ['down', 'degraded'] });
  });

  it('names every wrong field', () => {
    expect(
      profileProblems({
        ...minimal,
        health: {
          liveness: '/liveness',
          readiness: { route: 'GET /readiness', timeoutMs: 0, notReady: { status: 200, contract: { type: 'object' } } },
          report: { route: 'GET /health', dependencies: {}, database: 'db' },
        },
      }),
    ).toEqual([
      "health.liveness: expected 'METHOD /path' with METHOD one of GET, POST, PUT, PATCH, DELETE (e.g. 'GET /v1/documents/{id}') (got \"/liveness\")",
      'health.readiness.timeoutMs: Too small: expected number to be >0 (got 0)',
      'health.readiness.notReady.status: Too small: expected number to be >=400 (got 200)',
      'health.readiness.notReady.contract: expected a zod 4 schema (e.g. z.object({...}))',
      'health.report.dependencies: name at least one dependency',
    ]);
    const report = { route: 'GET /health', dependencies: { postgres: { state: () => 'up', up: 'up', down: 'down' } }, database: 'db' };
    expect(profileProblems({ ...minimal, health: { ...health, report } })).toEqual(["health.report.database: no dependency named 'db' in health.report.dependencies (declared: postgres)"]);
  });

  it('refuses a fault service the launch block does not have, and guesses none among several http services', () => {
    expect(profileProblems({ ...launched, health: { ...health, faults: { service: 'web' } } })).toEqual(["health.faults.service: no launched service named 'web' (launched: api, worker)"]);
    const two = { ...launched, launch: { ...launch, services: { ...launch.services, admin: { command: ['node', 'admin.js'], http: {} } } } };
    expect(profileProblems({ ...two, health })).toEqual(['health.faults.service: the launch block has 2 services with an http block (api, admin): name the one to check']);
    expect(validateProfile({ ...two, health: { ...health, faults: { service: 'admin' } } }, 'x').health?.faults.service).toBe('admin');
  });
});

describe('the config block', () => {
  it('fills its defaults and takes the JWT secret rules', () => {
    const p = validateProfile({ ...launched, config: { required: ['DATABASE_URL'], jwtSecret: { productionEnv: { NODE_ENV: 'production' }, weak: 'warn', missing: 'refuse' } } }, 'x');
    expect(p.config).toMatchObject({ required: ['DATABASE_URL'], exitWithinMs: 10_000, jwtSecret: { env: 'JWT_SECRET', weak: 'warn', missing: 'refuse' } });
  });

  it('names every wrong field', () => {
    expect(profileProblems({ ...launched, config: { service: 'web', required: [], jwtSecret: { productionEnv: {}, weak: 'ignore', missing: 'refuse' } } })).toEqual([
      'config.required: name at least one required variable (got [])',
      "config.jwtSecret.productionEnv: name the variables that make the service production, e.g. { NODE_ENV: 'production' }",
      'config.jwtSecret.weak: Invalid option: expected one of "refuse"|"warn" (got "ignore")',
      "config.service: no launched service named 'web' (launched: api, worker)",
    ]);
  });
});

describe('when the health and config suites apply', () => {
  it('say by name what is missing: the block, a launched target, a safe kind', async () => {
    const suites = (await discoverSuites(ROOT)).filter((s) => s.id === 'health' || s.id === 'config');
    const reasons = (input: unknown) => Object.fromEntries(planSuites(suites, validateProfile(input, 'x'), []).map((p) => [p.suite.id, p.status === 'run' ? 'run' : p.reason]));
    expect(reasons(minimal)).toEqual({
      config: 'the profile has no config block (the required variables, and the JWT secret rules in production)',
      health: 'the profile has no health block (the liveness, readiness and health routes, the readiness timeout and cache window, and the not-ready contract)',
    });
    expect(reasons({ ...minimal, health, config: { required: ['X'] } })).toEqual({
      config: 'shipgate does not launch this target, so it cannot start the service with a variable removed',
      health: 'run',
    });
    expect(reasons({ ...minimalProfile('production', 'http://127.0.0.1:3000'), health, config: { required: ['X'] } })).toEqual({
      config: "runs only against ephemeral targets; this one is 'production'",
      health: 'run',
    });
    expect(reasons({ ...launched, health, config: { required: ['X'] } })).toEqual({ config: 'run', health: 'run' });
  });
});
