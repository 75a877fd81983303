/**
 * What a profile hook must return, checked where shipgate gets the value: a hook that returns the
 * wrong shape, or throws, is reported by its name with the (redacted) value it got and what was
 * expected, never as a TypeError deep inside a suite.
 */
import { HookCallError } from '../http/profile-http.ts';
import { redactor } from '../http/redact.ts';
import { withoutSecrets } from './secret-fields.ts';

/** What a hook's result must be, in words (for the message) and as a test. */
export interface HookExpectation {
  /** e.g. `a non-empty string or a number (the item's id)`. */
  words: string;
  test(value: unknown): boolean;
  /** The hook may return a Promise (its resolved value is checked). Sync hooks returning a Promise are an error. */
  async?: boolean;
  /** `null` is read as "none": the checked value is `undefined`. */
  nullIsNone?: boolean;
  /** `undefined` and `null` read as `false` (a predicate over a field that is not there). */
  nullIsFalse?: boolean;
}

/** A hook threw, or returned what its field does not allow: the profile is wrong, not the system. */
export class HookError extends Error {
  constructor(
    readonly hook: string,
    message: string,
  ) {
    super(message);
    this.name = 'HookError';
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isThenable = (v: unknown): v is PromiseLike<unknown> => (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';

/** A JSON value a request body can carry: no function, Promise, bigint, symbol or cycle. */
function isJsonLike(v: unknown, seen = new Set<unknown>()): boolean {
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v !== 'object' || isThenable(v) || seen.has(v)) return false;
  if (Buffer.isBuffer(v) || v instanceof Date) return true;
  seen.add(v);
  const ok = Array.isArray(v) ? v.every((x) => isJsonLike(x, seen)) : Object.values(v).every((x) => x === undefined || isJsonLike(x, seen));
  seen.delete(v);
  return ok;
}

const isId = (v: unknown) => (typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v));

/** The result shapes hooks declare (see docs/profile.md). */
export const RETURNS = {
  body: { words: 'a JSON request body (an object, array, string, number, boolean or null; not a Promise or a function)', test: (v: unknown) => isJsonLike(v) },
  id: { words: 'an id: a non-empty string or a number', test: isId },
  items: { words: 'an array of items', test: Array.isArray },
  ids: { words: 'an array of ids (non-empty strings or numbers)', test: (v: unknown) => Array.isArray(v) && v.every(isId) },
  nextPage: {
    words: "the next page's query string (`cursor=abc`), a path starting with '/' (`/v1/items?page=2`), or null at the end",
    test: (v: unknown) => v === null || v === undefined || typeof v === 'string',
  },
  query: { words: 'a query string such as `limit=5`', test: (v: unknown) => typeof v === 'string' },
  count: { words: 'a count: a whole number, 0 or more', test: (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 },
  // A predicate: undefined or null (a field that is not there) reads as false.
  boolean: { words: 'true or false', test: (v: unknown) => typeof v === 'boolean', nullIsFalse: true },
  text: { words: 'a string', test: (v: unknown) => typeof v === 'string' && v !== '' },
  object: { words: 'an object (`{ key: value }`)', test: isPlainObject },
  optionalText: { words: 'a string, or undefined / null when there is none', test: (v: unknown) => v === undefined || (typeof v === 'string' && v !== ''), nullIsNone: true },
  optionalNumber: { words: 'a number, or undefined / null when there is none', test: (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v)), nullIsNone: true },
  exportState: {
    words: "one of 'queued', 'running', 'done', 'failed'",
    test: (v: unknown) => v === 'queued' || v === 'running' || v === 'done' || v === 'failed',
  },
  keyedRequest: {
    words: '{ body, headers? } (headers: { name: string value })',
    test: (v: unknown) => isPlainObject(v) && isJsonLike(v.body) && (v.headers === undefined || (isPlainObject(v.headers) && Object.values(v.headers).every((h) => typeof h === 'string'))),
  },
  firstLoginIds: {
    words: '{ user, tenant } (each an id: a non-empty string or a number)',
    test: (v: unknown) => isPlainObject(v) && isId(v.user) && isId(v.tenant),
  },
  anyValue: { words: 'a value (not a Promise)', test: (v: unknown) => !isThenable(v) },
  manifestItems: {
    words: 'an array of { id, hash } (id a non-empty string or a number, hash a non-empty string)',
    test: (v: unknown) => Array.isArray(v) && v.every((i) => isPlainObject(i) && isId(i.id) && typeof i.hash === 'string' && i.hash !== ''),
  },
  formFields: { words: 'an object of form fields ({ name: string value })', test: (v: unknown) => isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string') },
  principal: {
    words: '{ tenantId?, userId?, token? | claims?, data? } (a token as a non-empty string, claims and data as objects, ids as strings or numbers)',
    async: true,
    test: (v: unknown) =>
      isPlainObject(v) &&
      (v.token === undefined || (typeof v.token === 'string' && v.token !== '')) &&
      (v.claims === undefined || isPlainObject(v.claims)) &&
      (v.data === undefined || isPlainObject(v.data)) &&
      (v.tenantId === undefined || isId(v.tenantId)) &&
      (v.userId === undefined || isId(v.userId)) &&
      (v.token !== undefined || v.claims !== undefined),
  },
  token: { words: 'a token: a non-empty string', async: true, test: (v: unknown) => typeof v === 'string' && v !== '' },
  tokenObject: { words: '{ token } (a non-empty string)', async: true, test: (v: unknown) => isPlainObject(v) && typeof v.token === 'string' && v.token !== '' },
  loginIdentity: {
    words: '{ token, subject? } (a non-empty string each)',
    async: true,
    test: (v: unknown) => isPlainObject(v) && typeof v.token === 'string' && v.token !== '' && (v.subject === undefined || (typeof v.subject === 'string' && v.subject !== '')),
  },
  revocation: {
    words: 'nothing, or { token } with the token the system issued instead',
    async: true,
    test: (v: unknown) => v === undefined || v === null || (isPlainObject(v) && (v.token === undefined || (typeof v.token === 'string' && v.token !== ''))),
  },
  done: { words: 'nothing (a Promise of nothing)', async: true, test: () => true },
} satisfies Record<string, HookExpectation>;

const MAX_SHOWN = 300;

/**
 * A value as a message may show it: JSON-like, functions and Promises named, cut to a few hundred
 * characters, secrets (known tokens, JWT-shaped strings, credential fields) replaced.
 */
export function showValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (isThenable(value)) return 'a Promise';
  let text: string;
  try {
    // Secret fields go before the cut: a token cut in half would no longer look like one to the scrub.
    text =
      JSON.stringify(withoutSecrets(value, [], { numbers: false }), (_k, v: unknown) => {
        if (typeof v === 'function') return '<function>';
        if (typeof v === 'bigint') return `${v}n`;
        if (v === undefined) return '<undefined>';
        if (isThenable(v)) return '<Promise>';
        return v;
      }) ?? String(value);
  } catch {
    text = String(value);
  }
  const cut = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
  return redactor.scrub(cut);
}

/** What the hook was given, when it is data worth showing (a response body, an item), not a context object. */
function showGiven(given: unknown): string {
  if (given === undefined) return '';
  if (isPlainObject(given) && Object.values(given).some((v) => typeof v === 'function')) return '';
  return `, given ${showValue(given)}`;
}

/**
 * The value a hook returned, checked against what its field allows. Throws a HookError naming the
 * hook, the value (redacted) and what was expected; `given` is what the hook was called with.
 */
export function hookResult<T>(hook: string, value: unknown, expected: HookExpectation, given?: unknown): T {
  if (!expected.async && isThenable(value)) {
    throw new HookError(hook, `${hook} returned a Promise${showGiven(given)}; it must return its value directly (remove async/await): expected ${expected.words}`);
  }
  const v = expected.nullIsNone && value === null ? undefined : expected.nullIsFalse && (value === null || value === undefined) ? false : value;
  if (!expected.test(v)) throw new HookError(hook, `${hook} returned ${showValue(value)}${showGiven(given)}; expected ${expected.words}`);
  return v as T;
}

/** The hook threw: the error, with the hook's name and what it was given. */
function hookThrew(hook: string, err: unknown, given: unknown): HookError {
  const e = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new HookError(hook, `${hook} threw ${redactor.scrub(e.split('\n')[0] ?? e)}${showGiven(given)}`);
}

const HOOK = Symbol('shipgate.hook');
interface HookMeta {
  name: string;
}

/** Errors a hook passes on that already say what went wrong (a failed HTTP call, which a 429 retry also needs to see as it is). */
const passThrough = (err: unknown) => err instanceof HookError || err instanceof HookCallError;

/**
 * Wraps a profile function so that every call checks its result, and a throw names the hook. The
 * name is the function's path in the profile, set when the profile is validated (`nameHooks`).
 */
export function checkedHook<F extends (...args: never[]) => unknown>(f: F, what: string, expected: HookExpectation | undefined): F {
  if ((f as unknown as Record<symbol, unknown>)[HOOK]) return f;
  const meta: HookMeta = { name: `a profile hook (${what})` };
  const wrapped = function (this: unknown, ...args: never[]) {
    const given = args[0];
    let out: unknown;
    try {
      out = f.apply(this, args);
    } catch (err) {
      throw passThrough(err) ? err : hookThrew(meta.name, err, given);
    }
    if (!expected) return out;
    if (expected.async && isThenable(out)) {
      return Promise.resolve(out).then(
        (v) => hookResult(meta.name, v, expected, given),
        (err: unknown) => {
          throw passThrough(err) ? err : hookThrew(meta.name, err, given);
        },
      );
    }
    return hookResult(meta.name, out, expected, given);
  };
  Object.defineProperty(wrapped, HOOK, { value: meta });
  Object.defineProperty(wrapped, 'length', { value: f.length });
  return wrapped as unknown as F;
}

/** Names every checked hook in a validated profile by its path (`resources.folder.create.id`). */
export function nameHooks(value: unknown, path: string[] = []): void {
  if (typeof value === 'function') {
    const meta = (value as unknown as Record<symbol, HookMeta | undefined>)[HOOK];
    if (meta && path.length > 0) meta.name = path.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : /^[\w$]+$/.test(p) ? `${i === 0 ? '' : '.'}${p}` : `['${p}']`)).join('');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => nameHooks(v, [...path, String(i)]));
    return;
  }
  // Plain objects only: a zod contract or a Buffer is not part of the profile's own structure.
  if (typeof value !== 'object' || value === null) return;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return;
  for (const [k, v] of Object.entries(value)) nameHooks(v, [...path, k]);
}

/** The name a checked hook reports under (its profile path once validated). */
export function hookName(f: unknown): string | undefined {
  return typeof f === 'function' ? (f as unknown as Record<symbol, HookMeta | undefined>)[HOOK]?.name : undefined;
}
