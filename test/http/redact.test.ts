import { describe, expect, it } from 'vitest';
import { Redactor, redactor, registerUrlPassword } from '../../harness/http/redact.ts';

describe('redaction', () => {
  it('replaces a registered secret by its label everywhere it appears', () => {
    const r = new Redactor();
    r.register('s3cr3t-token-value', 'tenant-1 token');
    expect(r.scrub('Bearer s3cr3t-token-value and again s3cr3t-token-value')).toBe('Bearer «tenant-1 token» and again «tenant-1 token»');
  });

  it('blanks anything shaped like a JWT even when nobody registered it', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl';
    expect(new Redactor().scrub(`{"access":"${jwt}"}`)).toBe('{"access":"«redacted token»"}');
  });

  it('never shows an unregistered Authorization or Cookie header value', () => {
    const h = new Redactor().headers({ authorization: 'Basic dXNlcjpwYXNz', cookie: 'sid=abc', accept: 'application/json' });
    expect(h).toEqual({ authorization: '«redacted»', cookie: '«redacted»', accept: 'application/json' });
  });

  it('replaces a secret that contains another registered one whole, and the shorter one where it stands alone', () => {
    const r = new Redactor();
    r.register('database-password', 'database password');
    r.register('postgres://app:database-password-and-more@db', 'database URL');
    expect(r.scrubKnown('url postgres://app:database-password-and-more@db, then database-password')).toBe('url «database URL», then «database password»');
  });

  it('finds each of thousands of registered tokens that share their first characters, as replacing them one by one would', () => {
    const r = new Redactor();
    const header = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';
    // Seeded: the same tokens every run.
    let x = 7;
    const next = () => ((x = (x * 1103515245 + 12345) % 2 ** 31), x.toString(36));
    const tokens = Array.from({ length: 3_000 }, (_, i) => `${header}.eyJzdWIiOiJ${i}.${next()}${next()}`);
    tokens.forEach((t, i) => r.register(t, `tenant-${i} token`));
    const text = `a ${tokens[5]} b ${tokens[2_999]} c ${header}.unregistered.${next()} d ${tokens[5]}`;
    let oneByOne = text;
    for (const [i, t] of tokens.entries()) oneByOne = oneByOne.split(t).join(`«tenant-${i} token»`);
    expect(r.scrubKnown(text)).toBe(oneByOne.replace(/eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, '«redacted token»'));
    expect(r.scrubKnown(text)).toBe('a «tenant-5 token» b «tenant-2999 token» c «redacted token» d «tenant-5 token»');
  });

  it('ignores values too short to be a secret, so data is not mangled', () => {
    const r = new Redactor();
    r.register('abc', 'short');
    expect(r.scrub('abc')).toBe('abc');
  });
});

describe('credential fields', () => {
  it('blanks the value of password, secret, token and api key fields in JSON bodies, whatever it looks like', () => {
    const body = JSON.stringify({ email: 'a@b.c', password: 'hunter2', refresh_token: 'opaque', apiKey: 'k', client_secret: 's', title: 'token talk' });
    expect(new Redactor().scrub(body)).toBe(
      '{"email":"a@b.c","password":"«redacted»","refresh_token":"«redacted»","apiKey":"«redacted»","client_secret":"«redacted»","title":"token talk"}',
    );
  });

  it('blanks every field the profile calls secret too (pwd, private keys, jwt), and the password of a URL', () => {
    const body = JSON.stringify({ pwd: 'hunter2', private_key: '-----BEGIN', jwt: 'opaque', name: 'jwt talk' });
    expect(new Redactor().scrub(body)).toBe('{"pwd":"«redacted»","private_key":"«redacted»","jwt":"«redacted»","name":"jwt talk"}');
    expect(new Redactor().scrub('DATABASE_URL=postgres://app:hunter22@db:5432/app')).toBe('DATABASE_URL=postgres://app:«password, 8 characters»@db:5432/app');
  });

  it('scrubs every string inside a finding-like object', () => {
    const r = new Redactor();
    r.register('registered-secret-1', 'db password');
    expect(r.scrubDeep({ title: 'x registered-secret-1', evidence: [{ text: 'registered-secret-1' }], n: 3 })).toEqual({
      title: 'x «db password»',
      evidence: [{ text: '«db password»' }],
      n: 3,
    });
  });
});

describe('database URL passwords', () => {
  it('are replaced by their label, except one equal to the user name, which would hide the role wherever the report names it', () => {
    registerUrlPassword(new URL('postgres://app_user:s3cret-pass-42@db:5432/app'));
    registerUrlPassword(new URL('postgres://postgres:postgres@127.0.0.1:5432/notes'));
    expect(redactor.scrub('role app_user logged in with s3cret-pass-42')).toBe('role app_user logged in with «database password»');
    expect(redactor.scrub('yet postgres (select) can reach it')).toBe('yet postgres (select) can reach it');
    expect(redactor.scrub('DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/notes')).toBe('DATABASE_URL=postgres://postgres:«password, 8 characters»@127.0.0.1:5432/notes');
  });
});
