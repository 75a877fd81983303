import { z } from 'zod';

/** A function-valued field: zod cannot describe its signature, so the type carries it. */
export const fn = <T extends (...args: never[]) => unknown>(what: string) =>
  z.custom<T>((v) => typeof v === 'function', { message: `expected a function (${what})` });

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
