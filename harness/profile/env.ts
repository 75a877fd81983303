/**
 * Profiles read secrets and URLs from the environment. `env('NAME')` keeps a missing variable
 * visible: validation reports "environment variable NAME is not set" at the field that needed it,
 * instead of a confusing "expected string, received undefined".
 */
const MISSING = '\u0000shipgate-missing-env:';

export function env(name: string, fallback?: string): string {
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
