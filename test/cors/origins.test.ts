import { describe, expect, it } from 'vitest';
import { corsGrant, judgeGrant, unknownOrigins } from '../../harness/cors/origins.ts';
import { findChromium } from '../../harness/browser/chromium.ts';
import { startPageServers, BLANK_PAGE } from '../../harness/browser/page-server.ts';

describe('the origins no allowlist may grant', () => {
  it('makes the loose-check variants of each allowed origin, and never an allowed one', () => {
    const origins = unknownOrigins(['https://app.example.com', 'http://127.0.0.1:4999']).map((o) => o.origin);
    expect(origins).toEqual([
      'https://evil.shipgate.test',
      'null',
      'https://app.example.com.evil.shipgate.test',
      'https://evilapp.example.com',
      'https://evil.app.example.com',
      'http://app.example.com',
      'https://app.example.com:8443',
      'http://127.0.0.1.evil.shipgate.test:4999',
      'http://127.0.0.1:49990',
      'https://127.0.0.1:4999',
      'http://127.0.0.1:5000',
    ]);
    expect(unknownOrigins(['http://127.0.0.1:4999', 'http://127.0.0.1:5000']).map((o) => o.origin)).not.toContain('http://127.0.0.1:5000');
  });
});

describe('judging the grant of an answer', () => {
  const grant = (h: Record<string, string>) => corsGrant(h);
  it('never accepts * with credentials, not even for an allowed origin', () => {
    expect(judgeGrant(grant({ 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' }), 'https://app.example.com', { allowed: true, anonymous: 'allowlist' })?.kind).toBe('wildcard-credentials');
  });

  it('flags an unknown origin named back, with or without credentials, unless anonymous reads are open to any origin', () => {
    const reflected = grant({ 'access-control-allow-origin': 'https://evil.shipgate.test' });
    expect(judgeGrant(reflected, 'https://evil.shipgate.test', { allowed: false, anonymous: 'allowlist' })).toMatchObject({ kind: 'reflects', credentials: false });
    expect(judgeGrant(reflected, 'https://evil.shipgate.test', { allowed: false, anonymous: 'any' })).toBeUndefined();
    const withCredentials = grant({ 'access-control-allow-origin': 'https://evil.shipgate.test', 'access-control-allow-credentials': 'true' });
    expect(judgeGrant(withCredentials, 'https://evil.shipgate.test', { allowed: false, anonymous: 'any' })).toMatchObject({ kind: 'reflects', credentials: true });
  });

  it('flags * for an unknown origin only where the profile keeps reads to the allowlist; no grant is fine', () => {
    expect(judgeGrant(grant({ 'access-control-allow-origin': '*' }), 'null', { allowed: false, anonymous: 'allowlist' })?.kind).toBe('wildcard');
    expect(judgeGrant(grant({ 'access-control-allow-origin': '*' }), 'null', { allowed: false, anonymous: 'any' })).toBeUndefined();
    expect(judgeGrant(grant({}), 'null', { allowed: false, anonymous: 'allowlist' })).toBeUndefined();
    expect(judgeGrant(grant({ 'access-control-allow-origin': 'https://app.example.com', 'access-control-allow-credentials': 'true' }), 'https://app.example.com', { allowed: true, anonymous: 'allowlist' })).toBeUndefined();
  });
});

describe('the browser and the pages', () => {
  it('names SHIPGATE_CHROMIUM when it points nowhere, and takes it when it exists', () => {
    expect(findChromium({ SHIPGATE_CHROMIUM: '/nonexistent/chrome' })).toEqual({ missing: 'SHIPGATE_CHROMIUM names /nonexistent/chrome, which does not exist' });
    expect(findChromium({ SHIPGATE_CHROMIUM: process.execPath })).toEqual({ path: process.execPath, source: 'SHIPGATE_CHROMIUM' });
  });

  it('serves the blank page on OS-chosen loopback ports, reachable by IP and by name', async () => {
    const servers = await startPageServers(2);
    try {
      expect(new Set(servers.ports).size).toBe(2);
      for (const host of ['127.0.0.1', 'localhost']) {
        const res = await fetch(`http://${host}:${servers.ports[0]}/any/path`);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe(BLANK_PAGE);
      }
    } finally {
      await servers.close();
    }
  });
});
