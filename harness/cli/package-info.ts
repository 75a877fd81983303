import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shipgate package root: suites, the vitest config and the embedded reference live there. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The reference system's profile: the embedded default when no profile is configured (see harness/embedded/systems.ts). */
export const EMBEDDED_CONFIG = join(PACKAGE_ROOT, 'shipgate.config.ts');
