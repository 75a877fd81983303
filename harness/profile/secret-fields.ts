/**
 * Which profile fields hold secrets, and how a value is shown without giving one away: a secret
 * is shown as its label and length (`«secret, 12 characters»`), a URL with its password masked.
 * Every message about a profile value (validation, load errors) goes through here.
 */

/** Field names that hold credentials whatever their value looks like (`jwt.secret`, `controlToken`, `DB_PASSWORD`...). */
const SECRET_NAME = /secret|token|passw(or)?d|pwd|api[_-]?key|credential|private[_-]?key|^jwt$|^key$/i;

export function isSecretName(name: PropertyKey): boolean {
  return typeof name === 'string' && SECRET_NAME.test(name);
}

/**
 * A path is secret when its field is (`identities.jwt.secret`, `launch.env.JWT_SECRET`, an item of
 * a list of secrets); a field inside a block named for a secret (`config.jwtSecret.weak`) is not.
 */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
  const field = [...path].reverse().find((k) => typeof k === 'string');
  return field !== undefined && isSecretName(field);
}

/** What is shown instead of a secret: its label and its length, never a character of it. */
export function secretLabel(label: string, value: unknown): string {
  if (typeof value === 'string') return `«${label}, ${value.length} character${value.length === 1 ? '' : 's'}»`;
  return `«${label}»`;
}

/** `postgres://user:hunter2@host/db` → `postgres://user:«password, 7 characters»@host/db`; other text unchanged. */
export function maskUrlPassword(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):([^@\s/]+)@/gi, (_m, head: string, password: string) => {
    let plain = password;
    try {
      plain = decodeURIComponent(password);
    } catch {
      // Not percent-encoded: its length as written.
    }
    return `${head}:${secretLabel('password', plain)}@`;
  });
}

/**
 * A copy of `value` fit to show: secret fields (by name, at any depth, or everything when `path`
 * is secret) replaced by their label and length, URL passwords masked. Functions stay functions.
 */
export function withoutSecrets(value: unknown, path: readonly PropertyKey[] = [], o: { numbers?: boolean } = { numbers: true }): unknown {
  const label = String([...path].reverse().find((k) => typeof k === 'string') ?? 'secret');
  // A number where a secret belongs (a PIN) is one too; where a string is expected, a caller may show it as the type error it is.
  if (isSecretPath(path) && (typeof value === 'string' || (o.numbers && typeof value === 'number'))) return secretLabel(label, String(value));
  if (typeof value === 'string') return maskUrlPassword(value);
  if (Array.isArray(value)) return value.map((v, i) => withoutSecrets(v, [...path, i], o));
  if (value && typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v, [...path, k], o)]));
  }
  return value;
}

/**
 * A line of the user's source with the string literal after a secret-named key masked
 * (`secret: 'abc'` → `secret: «secret, 3 characters»`): code frames of load errors quote the
 * profile, which may hold a secret written in it.
 */
export function maskSecretsInSource(line: string): string {
  const literal = /(["']?)([\w$-]+)\1(\s*[:=]\s*)(['"`])((?:\\.|(?!\4).)*)\4/g;
  return maskUrlPassword(
    line.replace(literal, (whole, _q: string, key: string, sep: string, _quote: string, body: string) =>
      isSecretName(key) ? `${whole.slice(0, whole.length - body.length - 2 - sep.length)}${sep}${secretLabel(key, body)}` : whole,
    ),
  );
}
