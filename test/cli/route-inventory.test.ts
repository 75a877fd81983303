import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

interface Signoff {
  gate: string;
  gateReasons: string[];
  warnings?: string[];
  unclassified?: { route: string; auth: string; summary?: string }[];
  findings: { code: string; title: string }[];
}

async function verify(config: string, env: Record<string, string> = {}): Promise<{ code: number | null; signoff: Signoff; md: string }> {
  const reports = mkdtempSync(join(tmpdir(), 'shipgate-inventory-'));
  const run = await runCli(['verify', '--config', `test/fixtures/toy-api/${config}`, '--suite', 'auth', '--reports', reports, '--seed', '3'], { env });
  return { code: run.code, signoff: JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff, md: readFileSync(join(reports, 'signoff.md'), 'utf8') };
}

describe('a route only the OpenAPI document names', () => {
  it('goes unseen without the document: a stats route that answers without a token still gives GO', async () => {
    const { code, signoff } = await verify('shipgate.config.ts', { TOY_DEFECT: 'stats-open' });
    expect(code).toBe(0);
    expect(signoff.unclassified).toBeUndefined();
  });

  it('is probed with the document, and the route that forgot its token check is NO-GO', async () => {
    const { code, signoff } = await verify('with-openapi.config.ts', { TOY_DEFECT: 'stats-open' });
    expect(code).toBe(1);
    const accepted = signoff.findings.find((f) => f.code === 'AUTH_MISSING_TOKEN_ACCEPTED');
    // One finding for the route that serves anonymous callers, not one more per bad token.
    expect(signoff.findings.filter((f) => f.title.startsWith('GET /api/stats')).map((f) => f.code)).toEqual(['AUTH_MISSING_TOKEN_ACCEPTED']);
    expect(accepted?.title).toMatch(/^GET \/api\/stats \(OpenAPI noteStats\) on instance 0 with no token: accepted: answered 200 \(if it serves anonymous callers on purpose, list it in routes\.public\)$/);
  });

  it('is listed as unclassified on the clean system (a warning), and fails the gate when the profile says so', async () => {
    const clean = await verify('with-openapi.config.ts');
    expect(clean.code).toBe(0);
    expect(clean.signoff.unclassified).toEqual([{ route: 'GET /api/stats', auth: 'required', summary: 'How many notes the tenant has.' }]);
    expect(clean.signoff.warnings).toContainEqual(expect.stringMatching(/^1 operation\(s\) of openapi\.json are unclassified .*: GET \/api\/stats$/));
    expect(clean.md).toContain('### Unclassified routes (1)');
    const strict = await verify('with-openapi.config.ts', { TOY_UNCLASSIFIED: 'fail' });
    expect(strict.code).toBe(1);
    expect(strict.signoff.gateReasons).toContainEqual(expect.stringMatching(/^1 operation\(s\) of openapi\.json are unclassified and gate\.unclassified is 'fail': GET \/api\/stats/));
  });
});
