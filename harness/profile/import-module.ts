import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * Imports a profile module, whatever folder it lives in.
 *
 * shipgate is an ES module. A profile that is an ES module itself (`.mts`/`.mjs`, or `.ts`/`.js`
 * under a package.json with `"type": "module"`) is imported as it is. Anywhere else Node would
 * load it as CommonJS, and CommonJS cannot load shipgate, so the profile and the local files it
 * imports are bundled into one ES module first (packages stay external, resolved from the
 * profile's folder), written next to the profile for that one import, then removed.
 */
export async function importProfileModule(file: string): Promise<{ default?: unknown }> {
  if (isNativeEsm(file)) return (await import(pathToFileURL(file).href)) as { default?: unknown };
  const code = await bundleAsEsm(file);
  const temporary = join(dirname(file), `.shipgate-profile-${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
  writeFileSync(temporary, code);
  // Stack traces of a profile that throws point at its own lines, through the inline source map.
  process.setSourceMapsEnabled(true);
  try {
    return (await import(pathToFileURL(temporary).href)) as { default?: unknown };
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Whether Node loads this file as an ES module (what `import` of it does without help). */
export function isNativeEsm(file: string): boolean {
  const ext = extname(file);
  if (ext === '.mts' || ext === '.mjs') return true;
  if (ext === '.cts' || ext === '.cjs') return false;
  return nearestPackageType(dirname(file)) === 'module';
}

function nearestPackageType(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const manifest = join(at, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type;
      } catch {
        return undefined; // an unreadable package.json: Node would fail on it too, as CommonJS
      }
    }
    if (dirname(at) === at) return undefined;
  }
}

async function bundleAsEsm(file: string): Promise<string> {
  const plain = await bundle(file, undefined);
  // Only a CommonJS profile needs the shim; a profile that never names shipgate must not need it installed.
  return /require\(["']shipgate["']\)/.test(plain) ? bundle(file, SHIPGATE_REQUIRE) : plain;
}

// A CommonJS profile's `require('shipgate')` gets the ES module; other requires work as in CommonJS.
const SHIPGATE_REQUIRE = [
  "import * as __shipgate from 'shipgate';",
  "import { createRequire as __shipgateCreateRequire } from 'node:module';",
  "const require = (id) => (id === 'shipgate' ? __shipgate : __shipgateCreateRequire(import.meta.url)(id));",
].join(' ');

async function bundle(file: string, banner: string | undefined): Promise<string> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    write: false,
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [ownLocations],
    ...(banner ? { banner: { js: banner } } : {}),
  });
  return result.outputFiles[0]!.text;
}

const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx' } as const;

/**
 * Bundled files keep their own location: `import.meta.url`, `__dirname` and friends name the
 * file they are written in, not the bundle (a profile finds its migrations folder that way).
 */
const ownLocations: Plugin = {
  name: 'shipgate-own-locations',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const loader = LOADERS[extname(args.path) as keyof typeof LOADERS];
      const url = JSON.stringify(pathToFileURL(args.path).href);
      const contents = readFileSync(args.path, 'utf8')
        .replaceAll('import.meta.url', url)
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path))
        .replace(/\b__dirname\b/g, JSON.stringify(dirname(args.path)))
        .replace(/\b__filename\b/g, JSON.stringify(args.path));
      return { contents, loader, resolveDir: dirname(args.path) };
    });
  },
};
