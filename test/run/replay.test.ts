import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { replayCommand, replayEnvironment, shellWord } from '../../harness/run/replay.ts';
import { ROOT } from '../support/cli.ts';

afterEach(() => vi.unstubAllEnvs());

describe('replay commands', () => {
  it('carry the defect switch of an embedded system, from the run or from the environment', () => {
    const config = join(ROOT, 'shipgate.config.ts');
    expect(replayEnvironment({ configPath: config, overrides: { REFERENCE_DEFECTS: 'tenant-leak-read' } })).toEqual({ REFERENCE_DEFECTS: 'tenant-leak-read' });
    vi.stubEnv('REFERENCE_DEFECTS', 'list-leak,role-check-missing');
    expect(replayEnvironment({ configPath: config })).toEqual({ REFERENCE_DEFECTS: 'list-leak,role-check-missing' });
    // selftest's clean run clears the switch: so does its replay.
    expect(replayEnvironment({ configPath: config, overrides: { REFERENCE_DEFECTS: '' } })).toEqual({ REFERENCE_DEFECTS: '' });
    // A user's profile that happens to have the same file name is not the reference.
    expect(replayEnvironment({ configPath: '/elsewhere/shipgate.config.ts' })).toEqual({});
  });

  it('carry the variables the profile read, never a secret, a URL with a password or a token', () => {
    vi.stubEnv('API_URL', 'https://staging.example.com');
    vi.stubEnv('JWT_SECRET', 'sekrit-value');
    vi.stubEnv('DATABASE_ADMIN_URL', 'postgres://admin:pw123@db/app');
    vi.stubEnv('SESSION', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig');
    vi.stubEnv('UNSET_ONE', '');
    const env = replayEnvironment({ configPath: '/p/shipgate.config.ts', profileVariables: ['API_URL', 'JWT_SECRET', 'DATABASE_ADMIN_URL', 'SESSION', 'UNSET_ONE'] });
    expect(env).toEqual({ API_URL: 'https://staging.example.com' });
  });

  it('name the config where the user stands, the reports folder, seed, runs and iterations', () => {
    const inside = replayCommand({ configPath: join(process.cwd(), 'profiles', 'api.config.ts'), reportsDir: 'out/reports', seed: 42, runs: 7, iterations: 9, env: { API_URL: 'https://x.example', NOTE: "it's" } });
    expect(inside).toBe(`API_URL=https://x.example NOTE='it'\\''s' npx shipgate verify --config profiles/api.config.ts --reports out/reports --seed 42 --runs 7 --iterations 9`);
    const outside = replayCommand({ configPath: '/srv/other project/shipgate.config.ts', reportsDir: '/tmp/r', seed: 1, runs: 5, iterations: 4, env: {} });
    expect(outside).toBe("npx shipgate verify --config '/srv/other project/shipgate.config.ts' --reports /tmp/r --seed 1 --runs 5 --iterations 4");
    expect(replayCommand({ configPath: 'x', embedded: 'articles', reportsDir: 'reports', seed: 3, runs: 5, iterations: 4, env: { ARTICLES_DEFECTS: 'owner-check-missing' } })).toBe(
      'ARTICLES_DEFECTS=owner-check-missing npx shipgate verify --embedded articles --reports reports --seed 3 --runs 5 --iterations 4',
    );
    expect(shellWord('')).toBe("''");
  });
});
