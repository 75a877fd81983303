import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../harness/profile/load.ts';
import { minimalProfile, profileProblems } from '../support/profile.ts';

const staging = minimalProfile('staging', 'https://staging.example.com');
const flow = async () => {};

describe('the smoke block of a profile', () => {
  it('takes flows by name and fills its defaults', () => {
    const p = validateProfile({ ...staging, smoke: { flows: { 'sign in': flow } } }, 'x');
    expect(Object.keys(p.smoke!.flows)).toEqual(['sign in']);
    expect(p.smoke!.flowTimeoutMs).toBe(60_000);
    expect(p.smoke!.removeTenant).toBeUndefined();
  });

  it('names every wrong field: no flow, a flow that is not a function, a bad timeout, an unknown key', () => {
    expect(profileProblems({ ...staging, smoke: { flows: {} } })).toEqual(['smoke.flows: declare at least one flow']);
    expect(profileProblems({ ...staging, smoke: { flows: { 'sign in': 'GET /me' }, flowTimeoutMs: 0, removeTenant: true, steps: [] } })).toEqual([
      'smoke.flows.sign in: expected a function (async ({ spec, token, unique, created }) => { ... })',
      'smoke.flowTimeoutMs: Too small: expected number to be >0 (got 0)',
      'smoke.removeTenant: expected a function (async ({ http, tenant, token }) => { ... })',
      'smoke: Unrecognized key: "steps"',
    ]);
  });
});
