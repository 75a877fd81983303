/**
 * Dotted paths into JSON bodies (`article.author`): how the profile names server-owned fields,
 * references and visibility flags inside a request body, nested or not.
 */
type Json = unknown;

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function splitPath(path: string): string[] {
  return path.split('.');
}

/** The value at `path`, or undefined when any step is missing. */
export function getPath(value: Json, path: string): Json {
  let at: Json = value;
  for (const key of splitPath(path)) {
    if (!isObject(at)) return undefined;
    at = at[key];
  }
  return at;
}

/**
 * A copy of `body` with `path` set to `value`, creating the objects on the way. Undefined when
 * `body` is not an object (a body factory that returns an array or a string has no fields).
 */
export function withPath(body: Json, path: string, value: Json): Record<string, Json> | undefined {
  if (!isObject(body)) return undefined;
  const [head, ...rest] = splitPath(path) as [string, ...string[]];
  if (rest.length === 0) return { ...body, [head]: value };
  return { ...body, [head]: withPath(isObject(body[head]) ? body[head] : {}, rest.join('.'), value) };
}
