import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

describe('choosing an embedded system', () => {
  it('names them with --embedded list', async () => {
    const run = await runCli(['verify', '--embedded', 'list']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}reference +orgs with members/m);
    expect(run.stdout).toMatch(/^ {2}articles +users are the tenants/m);
  });

  it('refuses an unknown one, or one given with --config, naming the choices (exit 2)', async () => {
    const unknown = await runCli(['verify', '--embedded', 'shop']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--embedded shop: no such embedded system; known: reference, articles');
    const both = await runCli(['verify', '--embedded', 'articles', '--config', 'shipgate.config.ts']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --config or --embedded, not both');
    const selftest = await runCli(['selftest', '--system', 'shop']);
    expect(selftest.code).toBe(2);
    expect(selftest.stderr).toContain('unknown embedded system shop; known: reference, articles');
  });

  it('runs the articles system with --embedded articles, on its own conventions, and says what its profile makes not applicable', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-articles-'));
    const run = await runCli(['verify', '--embedded', 'articles', '--suite', 'roles', '--suite', 'rls', '--reports', reports]);
    expect(run.stdout).toContain("embedded system 'articles'");
    expect(run.stdout).toMatch(/warning: identities\.jwt\.secret is 12 characters/);
    expect(run.stdout).not.toContain('short-secret');
    const signoff = JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as {
      gate: string;
      selectedVerdict: string;
      requiredNotRun: string[];
      suites: { id: string; status: string; reason?: string }[];
      identities: { made: number };
    };
    expect(signoff.suites.find((s) => s.id === 'roles')).toMatchObject({ status: 'passed' });
    expect(signoff.suites.find((s) => s.id === 'rls')).toMatchObject({ status: 'not-applicable', reason: expect.stringContaining("database.isolation: 'app'") });
    expect(signoff.identities.made).toBeGreaterThan(0);
    // rls is not run but the profile does not require it, and roles passed: the selected suites are GO.
    expect(signoff.selectedVerdict).toBe('GO');
    // The run is narrowed past suites its profile requires, so it cannot release: NO-GO, saying so.
    expect(signoff.requiredNotRun).toEqual(expect.arrayContaining(['auth', 'tenant-isolation', 'db-advisor', 'migrations', 'error-hygiene']));
    expect(signoff.requiredNotRun).not.toContain('roles');
    expect(signoff.gate).toBe('NO-GO');
    expect(run.stdout).toContain(`NO-GO (narrowed to roles, rls; required, not run: ${signoff.requiredNotRun.join(', ')})`);
    expect(run.code).toBe(1);
  });
});
