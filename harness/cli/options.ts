import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './exit-codes.ts';
import { EMBEDDED_CONFIG, PACKAGE_ROOT } from './package-info.ts';
import { EMBEDDED_SYSTEMS, embeddedConfigPath, embeddedSystem } from '../embedded/systems.ts';

export function parseIntOption(name: string, value: string | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be an integer >= ${min} (got '${value}')`);
  }
  return Number(value);
}

/** Schedules per concurrency check in a CI run: enough to catch each race class every time, fast. */
export const CI_ITERATIONS = 4;
/** Schedules per concurrency check in `shipgate nightly`. */
export const NIGHTLY_ITERATIONS = 1_000;

export function seedOption(value: string | undefined): number {
  return parseIntOption('seed', value, -2147483648, randomInt(1, 2 ** 31 - 1));
}

/** `--embedded <name>`, else `--config`, else `./shipgate.config.ts`, else the embedded reference system. */
export function configOption(value: string | undefined, embedded?: string): { path: string; embedded: boolean; system?: string } {
  if (embedded !== undefined) {
    if (value !== undefined) throw new UsageError('give --config or --embedded, not both');
    const system = embeddedSystem(embedded);
    if (!system) throw new UsageError(`--embedded ${embedded}: no such embedded system; known: ${EMBEDDED_SYSTEMS.map((s) => s.name).join(', ')} (--embedded list describes them)`);
    return { path: embeddedConfigPath(PACKAGE_ROOT, system), embedded: true, system: system.name };
  }
  if (value !== undefined) {
    if (!existsSync(resolve(value))) throw new UsageError(`--config ${value}: no such file`);
    return { path: resolve(value), embedded: resolve(value) === EMBEDDED_CONFIG };
  }
  const local = resolve('shipgate.config.ts');
  if (existsSync(local)) return { path: local, embedded: local === EMBEDDED_CONFIG };
  return { path: EMBEDDED_CONFIG, embedded: true, system: 'reference' };
}

/** What `--embedded list` prints. */
export function embeddedList(): string {
  return ['embedded systems (shipgate verify --embedded <name>):', ...EMBEDDED_SYSTEMS.map((s) => `  ${s.name.padEnd(10)} ${s.description}`)].join('\n');
}
