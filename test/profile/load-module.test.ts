import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.ts';

// A user's project: a package.json with no "type" (so Node treats .ts and .js as CommonJS) and
// shipgate installed in node_modules. Every profile form must load from it; the run then stops at
// the unreachable base URL (exit 3), which proves the profile loaded and validated.
let project: string;
let bare: string; // a project where shipgate is not installed
let closedPort: number;

async function freePortThenClosed(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const body = (url: string) => `{
  name: 'user-api', kind: 'staging', http: { baseUrls: ['${url}'] },
  identities: { newTenant: async () => ({ tenantId: 't', token: 'x' }) },
  protectedRoutes: ['GET /me'],
}`;

beforeAll(async () => {
  closedPort = await freePortThenClosed();
  const url = `http://127.0.0.1:${closedPort}`;
  project = mkdtempSync(join(tmpdir(), 'shipgate-user-project-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0' }));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(ROOT, join(project, 'node_modules', 'shipgate'));
  mkdirSync(join(project, 'profiles'));
  // A local helper the profile imports, which finds its own folder the way ES modules do.
  writeFileSync(
    join(project, 'profiles', 'where.ts'),
    `import { existsSync } from 'node:fs';\nimport { join } from 'node:path';\n` +
      `export function checkedHere(): string { if (!existsSync(join(import.meta.dirname, 'where.ts'))) throw new Error('import.meta.dirname is ' + import.meta.dirname); return '${url}'; }\n`,
  );
  writeFileSync(
    join(project, 'profiles', 'shipgate.config.ts'),
    `import { defineTarget } from 'shipgate';\nimport { checkedHere } from './where.ts';\nexport default defineTarget(${body('URL').replace("'URL'", 'checkedHere()')});\n`,
  );
  writeFileSync(join(project, 'plain.js'), `import { defineTarget } from 'shipgate';\nexport default defineTarget(${body(url)});\n`);
  writeFileSync(join(project, 'common.cjs'), `const { defineTarget } = require('shipgate');\nmodule.exports = defineTarget(${body(url)});\n`);
  writeFileSync(join(project, 'module.mts'), `import { defineTarget } from 'shipgate';\nexport default defineTarget(${body(url)});\n`);
  mkdirSync(join(project, 'esm'));
  writeFileSync(join(project, 'esm', 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(join(project, 'esm', 'profile.js'), `import { defineTarget } from 'shipgate';\nexport default defineTarget(${body(url)});\n`);
  writeFileSync(join(project, 'esm', 'required.js'), `const { defineTarget } = require('shipgate');\nexport default defineTarget(${body(url)});\n`);
  writeFileSync(join(project, 'broken.ts'), `import { defineTarget } from 'shipgate';\n\nexport default defineTarget({ name: 'x',, kind: 'staging' });\n`);
  writeFileSync(join(project, 'esm', 'broken.ts'), `export default {\n  name: 'x'\n  kind: 'staging',\n};\n`);
  writeFileSync(join(project, 'throws.ts'), `import { defineTarget } from 'shipgate';\nconst secret = process.env.NOT_SET_ANYWHERE;\nif (!secret) throw new Error('set NOT_SET_ANYWHERE');\nexport default defineTarget(${body(url)});\n`);
  writeFileSync(join(project, 'missing-local.ts'), `import { routes } from './routes';\nexport default routes;\n`);
  writeFileSync(join(project, 'missing-package.ts'), `import { defineTarget } from 'shipgate';\nimport { thing } from 'left-pad-nowhere';\nexport default defineTarget({ ...${body(url)}, name: thing });\n`);
  bare = mkdtempSync(join(tmpdir(), 'shipgate-bare-project-'));
  const elsewhere = join(bare, 'no-install');
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, 'package.json'), '{}');
  writeFileSync(join(elsewhere, 'shipgate.config.ts'), `import { defineTarget } from 'shipgate';\nexport default defineTarget(${body(url)});\n`);
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  rmSync(bare, { recursive: true, force: true });
});

// Outside /tmp a symlinked install resolves to the repo; keep NODE_PATH from helping.
const run = (config: string) => runCli(['verify', '--config', config, '--reports', join(project, 'reports')], { cwd: project, env: { NODE_PATH: undefined } });

describe('a profile loads from a user project that is not an ES module', () => {
  it.each([
    ['a .ts profile importing a local .ts helper (import.meta.dirname still names the helper folder)', 'profiles/shipgate.config.ts'],
    ['a .js profile written with import/export', 'plain.js'],
    ['a CommonJS .cjs profile with require and module.exports', 'common.cjs'],
    ['a .mts profile', 'module.mts'],
    ['a .js profile under a "type": "module" package.json', 'esm/profile.js'],
  ])('%s', async (_what, config) => {
    const r = await run(config);
    expect(r.stderr).not.toMatch(/Cannot require|in a cycle|is invalid/);
    expect(r.stderr).toContain(`127.0.0.1:${closedPort}`);
    expect(r.code).toBe(3);
  });
});

describe('a profile that cannot load says why, in the user\'s terms', () => {
  it('a syntax error gives file:line:column and the code frame (CommonJS folder: bundled)', async () => {
    const r = await run('broken.ts');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has a syntax error at broken.ts:3:');
    expect(r.stderr).toMatch(/> 3 \| export default defineTarget\(\{ name: 'x',, kind/);
    expect(r.stderr).toMatch(/\|\s+\^/);
    expect(r.stderr).not.toContain('Transform failed');
  });

  it('a syntax error gives file:line:column and the code frame (ES module folder: imported)', async () => {
    const r = await run('esm/broken.ts');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has a syntax error at esm\/broken\.ts:3:\d+/);
    expect(r.stderr).toContain("> 3 |   kind: 'staging',");
    expect(r.stderr).not.toContain('Transform failed');
  });

  it('require() in an ES module is named, with the fix', async () => {
    const r = await run('esm/required.js');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is an ES module');
    expect(r.stderr).toContain("import { defineTarget } from 'shipgate'");
    expect(r.stderr).toContain('esm/required.js:1:');
  });

  it('an error the profile throws is shown with where it was thrown', async () => {
    const r = await run('throws.ts');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('threw while loading: set NOT_SET_ANYWHERE (at throws.ts:3:');
    expect(r.stderr).toContain("> 3 | if (!secret) throw new Error('set NOT_SET_ANYWHERE');");
  });

  it('a local file that does not exist is named with the import that needs it', async () => {
    const r = await run('missing-local.ts');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('imports ./routes, which cannot be found (at missing-local.ts:1:');
  });

  it('a package that is not installed is named', async () => {
    const r = await run('missing-package.ts');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("imports the package 'left-pad-nowhere', which is not installed where the profile is");
  });

  it('shipgate itself not installed next to the profile says how to install it', async () => {
    const r = await run(join(bare, 'no-install', 'shipgate.config.ts'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('imports shipgate, which is not installed where the profile is');
    expect(r.stderr).toContain('npm i -D shipgate');
  });

  it('leaves no bundled copy of a profile behind', async () => {
    await run('plain.js');
    await run('broken.ts');
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(project).filter((f) => f.startsWith('.shipgate-profile-'))).toEqual([]);
  });
});
