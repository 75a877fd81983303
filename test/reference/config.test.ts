import { describe, expect, it } from 'vitest';
import { ConfigError, loadServerConfig } from '../../reference/config.ts';

const valid = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  JWT_SECRET: 'x'.repeat(32),
  PORT: '0',
};

function configError(env: Record<string, string | undefined>): string {
  try {
    loadServerConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('reference configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadServerConfig(valid);
    expect(config).toMatchObject({ host: '127.0.0.1', port: 0, jwtAudience: 'authenticated', authDisabled: false });
    expect(config.defects.size).toBe(0);
    expect(config.evidenceMaxBytes).toBe(50 * 1024 * 1024);
    expect(config.allowedOrigins.size).toBe(0);
  });

  it('reads the allowed browser origins as exact origins', () => {
    const config = loadServerConfig({ ...valid, ALLOWED_ORIGINS: ' https://app.example.com, http://localhost:5173 ' });
    expect([...config.allowedOrigins]).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it.each([
    ['DATABASE_URL', { ...valid, DATABASE_URL: undefined }, /^DATABASE_URL is required/],
    ['DATABASE_URL', { ...valid, DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must start with postgres:\/\//],
    ['JWT_SECRET', { ...valid, JWT_SECRET: undefined }, /^JWT_SECRET is required \(the HS256 secret/],
    ['JWT_SECRET', { ...valid, JWT_SECRET: 'short' }, /^JWT_SECRET is too short/],
    ['PORT', { ...valid, PORT: undefined }, /^PORT is required/],
    ['PORT', { ...valid, PORT: '70000' }, /^PORT must be an integer from 0 to 65535/],
    ['AUTH_DISABLED', { ...valid, AUTH_DISABLED: 'maybe' }, /^AUTH_DISABLED must be one of/],
    ['REFERENCE_DEFECTS', { ...valid, REFERENCE_DEFECTS: 'no-such-defect' }, /no-such-defect/],
    ['EVIDENCE_MAX_BYTES', { ...valid, EVIDENCE_MAX_BYTES: '0' }, /^EVIDENCE_MAX_BYTES must be an integer from 1 to/],
    ['ALLOWED_ORIGINS', { ...valid, ALLOWED_ORIGINS: 'https://app.example.com/' }, /^ALLOWED_ORIGINS must list origins such as https:\/\/app\.example\.com .*got "https:\/\/app\.example\.com\/"/],
    ['ALLOWED_ORIGINS', { ...valid, ALLOWED_ORIGINS: 'app.example.com' }, /^ALLOWED_ORIGINS must list origins/],
  ])('names %s when it is missing or invalid', (_name, env, message) => {
    expect(configError(env)).toMatch(message);
  });

  it('refuses AUTH_DISABLED in production, naming both variables', () => {
    const message = configError({ ...valid, AUTH_DISABLED: '1', NODE_ENV: 'production' });
    expect(message).toContain('AUTH_DISABLED');
    expect(message).toContain('NODE_ENV=production');
  });

  it('honours AUTH_DISABLED outside production', () => {
    expect(loadServerConfig({ ...valid, AUTH_DISABLED: 'true', NODE_ENV: 'development' }).authDisabled).toBe(true);
  });

  it('refuses a published default JWT secret in production, naming the variable but not the value', () => {
    const published = 'super-secret-jwt-token-with-at-least-32-characters-long';
    const message = configError({ ...valid, JWT_SECRET: published, NODE_ENV: 'production' });
    expect(message).toMatch(/^JWT_SECRET is a published default secret/);
    expect(message).not.toContain(published);
    expect(loadServerConfig({ ...valid, JWT_SECRET: published, NODE_ENV: 'test' }).jwtSecret).toBe(published);
    expect(loadServerConfig({ ...valid, JWT_SECRET: published, NODE_ENV: 'production', REFERENCE_DEFECTS: 'jwt-default-secret' }).jwtSecret).toBe(published);
  });

  it('with env-missing-silent, a missing JWT_SECRET falls back to a development secret outside production only', () => {
    const env = { ...valid, JWT_SECRET: undefined, REFERENCE_DEFECTS: 'env-missing-silent' };
    expect(loadServerConfig({ ...env, NODE_ENV: 'test' }).jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(configError({ ...env, NODE_ENV: 'production' })).toMatch(/^JWT_SECRET is required/);
  });

  it('with auth-bypass-in-prod, only a Cloud Run variable counts as production', () => {
    const env = { ...valid, AUTH_DISABLED: '1', NODE_ENV: 'production', REFERENCE_DEFECTS: 'auth-bypass-in-prod' };
    expect(loadServerConfig(env).authDisabled).toBe(true);
    expect(configError({ ...env, K_SERVICE: 'api' })).toContain('AUTH_DISABLED');
  });
});
