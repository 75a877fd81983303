import { z } from 'zod';
import { checkedHook, type HookExpectation } from './hook-result.ts';

/** Every hook field's schema, with its signature and what it returns: lets a test find each hook of the profile schema (the docs must cover them all). */
export const HOOK_FIELDS = new WeakMap<z.ZodType, { what: string; returns?: string }>();

/**
 * A function-valued field (a hook): zod cannot describe its signature, so the type carries it.
 * `returns` is what every call must give back: the validated profile holds a wrapper that checks
 * each result (and names the hook in a throw), so no suite meets a wrong shape unannounced.
 */
export const fn = <T extends (...args: never[]) => unknown>(what: string, returns?: HookExpectation) => {
  const schema = z.custom<T>((v) => typeof v === 'function', { message: `expected a function (${what})` }).transform((f) => checkedHook(f, what, returns));
  HOOK_FIELDS.set(schema, { what, ...(returns ? { returns: returns.words } : {}) });
  return schema;
};

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof METHODS)[number];

/** `'GET /v1/documents/{id}'`: a method and a path template whose `{name}` parts are filled in. */
export const routeString = z
  .string()
  .regex(
    new RegExp(`^(${METHODS.join('|')}) /\\S*$`),
    `expected 'METHOD /path' with METHOD one of ${METHODS.join(', ')} (e.g. 'GET /v1/documents/{id}')`,
  );

/** A zod 4 schema (the suites turn it into JSON Schema and validate with it). */
export const zodContract = z.custom<z.ZodType>(
  (v) => typeof v === 'object' && v !== null && '_zod' in v && typeof (v as { safeParse?: unknown }).safeParse === 'function',
  { message: 'expected a zod 4 schema (e.g. z.object({...}))' },
);
