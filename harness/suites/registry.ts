import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Suite } from './define.ts';

/** Every suite under `<root>/suites/*\/suite.ts`, sorted by id. */
export async function discoverSuites(root: string): Promise<Suite[]> {
  const dir = join(root, 'suites');
  const suites: Suite[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name, 'suite.ts');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as { default?: Suite };
    if (!mod.default || mod.default.id !== entry.name) {
      throw new Error(`${file} must export default defineSuite({ id: '${entry.name}', ... })`);
    }
    const sharing = (mod.default as Partial<Suite>).sharing;
    if (sharing !== 'shared' && !(typeof sharing === 'object' && typeof sharing?.alone === 'string' && sharing.alone.trim() !== '')) {
      throw new Error(`${file}: sharing must be 'shared' (its checks may run beside other suites') or { alone: 'why it disturbs, or is disturbed by, other suites' }`);
    }
    suites.push(mod.default);
  }
  return suites.sort((a, b) => a.id.localeCompare(b.id));
}
