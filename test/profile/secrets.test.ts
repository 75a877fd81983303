import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeFrame } from '../../harness/profile/load-errors.ts';
import { validateProfile } from '../../harness/profile/load.ts';
import { maskSecretsInSource, maskUrlPassword } from '../../harness/profile/secret-fields.ts';
import { profileWarnings } from '../../harness/profile/warnings.ts';
import { runCli } from '../support/cli.ts';
import { minimalProfile, profileProblems } from '../support/profile.ts';

const minimal = minimalProfile('staging', 'https://api.example.com');
const SHORT_SECRET = 'tiny-sekrit-7';

describe('secrets in validation messages', () => {
  it('a too-short JWT secret is used with a warning that gives its length, never its text', () => {
    const profile = validateProfile({ ...minimal, identities: { ...minimal.identities, jwt: { secret: SHORT_SECRET } } }, 'x');
    const warnings = profileWarnings(profile);
    expect(warnings).toEqual([expect.stringContaining(`identities.jwt.secret is ${SHORT_SECRET.length} characters`)]);
    expect(warnings.join('\n')).not.toContain(SHORT_SECRET);
  });

  it('a zod error on a secret field shows the label and length, never the value', () => {
    const found = profileProblems({
      ...minimal,
      identities: { ...minimal.identities, jwt: { secret: ['not', 'a', SHORT_SECRET] } },
      providerDouble: { url: 'http://127.0.0.1:4010', controlToken: 'short-token-9' },
      launch: undefined,
      database: { url: 'mysql://root:hunter2-pass@db.internal/app' },
    });
    const text = found.join('\n');
    for (const secret of [SHORT_SECRET, 'short-token-9', 'hunter2-pass']) expect(text).not.toContain(secret);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^identities\.jwt\.secret: .*\(got \["«secret, 3 characters»","«secret, 1 character»"/),
        expect.stringMatching(/^providerDouble\.controlToken: .*\(got «controlToken, 13 characters»\)/),
        expect.stringMatching(/^database\.url: .*\(got "mysql:\/\/root:«password, 12 characters»@db\.internal\/app"\)/),
      ]),
    );
  });

  it('a secret given where an object belongs, or in a variable named like one, is not quoted either', () => {
    const found = profileProblems({
      ...minimal,
      identities: { ...minimal.identities, jwt: SHORT_SECRET },
      http: { baseUrls: ['https://api.example.com'], timeoutMs: 'x' },
    });
    expect(found.join('\n')).not.toContain(SHORT_SECRET);
    expect(found).toContainEqual(expect.stringMatching(/^identities\.jwt: .*\(got «jwt, 13 characters»\)/));
    const env = profileProblems({ ...minimal, kind: 'ephemeral', http: {}, launch: { env: { DB_PASSWORD: 12345678 }, services: { api: { command: ['x'], http: {} } } } });
    expect(env.join('\n')).not.toContain('12345678');
    expect(env).toContainEqual(expect.stringMatching(/^launch\.env\.DB_PASSWORD: .*«DB_PASSWORD, 8 characters»/));
  });

  it('masks URL passwords and secret literals in quoted source', () => {
    expect(maskUrlPassword('postgres://app:p%40ss@h:5432/db and http://plain.example')).toBe('postgres://app:«password, 4 characters»@h:5432/db and http://plain.example');
    expect(maskSecretsInSource(`  jwt: { secret: 'abcdefgh', audience: 'authenticated' },`)).toBe(`  jwt: { secret: «secret, 8 characters», audience: 'authenticated' },`);
    expect(maskSecretsInSource(`const API_TOKEN = "xyz";`)).toBe('const API_TOKEN = «API_TOKEN, 3 characters»;');
  });

  it("a load error's code frame does not quote a secret written in the profile", () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-secret-frame-'));
    const file = join(dir, 'p.ts');
    writeFileSync(file, `const x = {\n  secret: '${SHORT_SECRET}',\n  broken: (\n};\n`);
    const frame = codeFrame({ file, line: 3, column: 3 });
    expect(frame).toContain('secret: «secret, 13 characters»');
    expect(frame).not.toContain(SHORT_SECRET);
  });

  it('the CLI never prints a secret it was given, on exit 2 for a bad secret field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-secret-cli-'));
    const config = join(dir, 'shipgate.config.ts');
    writeFileSync(
      config,
      `export default { name: 'x', kind: 'production', http: { baseUrls: ['http://127.0.0.1:9'] },
        identities: { jwt: { secret: process.env.SECRET_UNDER_TEST }, tenants: [async () => ({ tenantId: 'a', token: 'x' }), async () => ({ tenantId: 'b', token: 'y' })] },
        providerDouble: { url: 'http://127.0.0.1:4010', controlToken: process.env.TOKEN_UNDER_TEST } };\n`,
    );
    const run = await runCli(['verify', '--config', config, '--reports', join(dir, 'reports')], { env: { SECRET_UNDER_TEST: SHORT_SECRET, TOKEN_UNDER_TEST: 'short-token-9' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('providerDouble.controlToken');
    expect(`${run.stdout}${run.stderr}`).not.toContain('short-token-9');
    expect(`${run.stdout}${run.stderr}`).not.toContain(SHORT_SECRET);
  });
});
