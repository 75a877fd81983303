import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverSuites } from '../../harness/suites/registry.ts';
import { ROOT } from '../support/cli.ts';

/** A root holding one suite folder whose suite.ts exports `spec` as its default. */
function rootWith(spec: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'shipgate-sharing-'));
  mkdirSync(join(root, 'suites', 'example'), { recursive: true });
  writeFileSync(join(root, 'suites', 'example', 'suite.ts'), `export default ${JSON.stringify({ id: 'example', ...spec })};\n`);
  return root;
}

describe('a suite says whether it may share the target', () => {
  it('refuses a suite that does not say, or gives no reason to run alone, naming its file', async () => {
    for (const sharing of [undefined, { alone: ' ' }, 'sometimes']) {
      const root = rootWith(sharing === undefined ? {} : { sharing });
      await expect(discoverSuites(root)).rejects.toThrow(`${join(root, 'suites', 'example', 'suite.ts')}: sharing must be 'shared'`);
    }
  });

  it("takes 'shared' and { alone: why }", async () => {
    expect((await discoverSuites(rootWith({ sharing: 'shared' })))[0]?.sharing).toBe('shared');
    expect((await discoverSuites(rootWith({ sharing: { alone: 'it kills workers' } })))[0]?.sharing).toEqual({ alone: 'it kills workers' });
  });

  it("every suite of shipgate's own says it, and health and worker-crash run alone", async () => {
    const suites = await discoverSuites(ROOT);
    expect(suites.filter((s) => s.sharing !== 'shared').map((s) => s.id)).toEqual(['health', 'load', 'worker-crash']);
  });
});
