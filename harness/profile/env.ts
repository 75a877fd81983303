/**
 * Profiles read secrets and URLs from the environment. `env('NAME')` keeps a missing variable
 * visible: validation reports "environment variable NAME is not set" at the field that needed it,
 * instead of a confusing "expected string, received undefined".
 */
const MISSING = '\u0000shipgate-missing-env:';

/**
 * Every variable a profile read in this process: a replay command repeats the ones that are not
 * secrets. Kept on the global object: a profile may get its own copy of this module (a profile
 * in another project resolves `shipgate` there), and its reads must still count.
 */
const READ = Symbol.for('shipgate.env.read');
const read: Set<string> = ((globalThis as Record<symbol, unknown>)[READ] as Set<string> | undefined) ?? new Set<string>();
(globalThis as Record<symbol, unknown>)[READ] = read;

export function env(name: string, fallback?: string): string {
  read.add(name);
  const value = process.env[name];
  if (value !== undefined && value !== '') return value;
  return fallback ?? `${MISSING}${name}`;
}

/** The variable name if `value` stands for a missing one. */
export function missingEnvName(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith(MISSING) ? value.slice(MISSING.length) : undefined;
}

/** Every field of a profile that stands for a missing variable, with its path. */
export function findMissingEnv(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; name: string }[] {
  const name = missingEnvName(value);
  if (name) return [{ path, name }];
  if (Array.isArray(value)) return value.flatMap((v, i) => findMissingEnv(v, [...path, i]));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).flatMap(([k, v]) => findMissingEnv(v, [...path, k]));
  }
  return [];
}

/** The variables read with `env()` so far, in the order first read. */
export function variablesRead(): string[] {
  return [...read];
}
