import { describe, expect, it } from 'vitest';
import { ConfigError, loadWorkerConfig } from '../../reference/config.ts';

const env = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

function configError(extra: Record<string, string>): string {
  try {
    loadWorkerConfig({ ...env, ...extra }, 'host:1');
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('export worker configuration', () => {
  it('defaults the heartbeat and sweep from the lease, and names the worker by host and pid', () => {
    expect(loadWorkerConfig({ ...env, EXPORT_LEASE_MS: '3000' }, 'host:1')).toMatchObject({
      workerId: 'host:1',
      leaseMs: 3000,
      heartbeatMs: 1000,
      sweepMs: 1500,
      maxAttempts: 5,
    });
    expect(loadWorkerConfig({ ...env, EXPORT_WORKER_ID: 'w-7' }, 'host:1').workerId).toBe('w-7');
  });

  it('refuses a heartbeat that is not shorter than the lease, naming both variables', () => {
    expect(configError({ EXPORT_LEASE_MS: '1000', EXPORT_HEARTBEAT_MS: '1000' })).toBe(
      'EXPORT_HEARTBEAT_MS (1000) must be shorter than EXPORT_LEASE_MS (1000), or every claim expires',
    );
  });

  it('refuses a timing that is not a positive integer', () => {
    expect(configError({ EXPORT_SWEEP_MS: '0.5' })).toBe('EXPORT_SWEEP_MS must be a positive integer (got "0.5")');
  });
});
