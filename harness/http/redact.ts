/**
 * Keeps tokens and secrets out of every report and log line shipgate writes.
 *
 * Known secrets are replaced by a label saying what they were ("tenant-2 token, expired"), so
 * evidence stays readable; anything that still looks like a JWT is blanked as a last resort.
 */
import { isSecretName, maskUrlPassword } from '../profile/secret-fields.ts';

const JWT_SHAPE = /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g;
/** A JSON string field (`"name": "value"`): blanked when its name is a secret's (the profile's own list, isSecretName). */
const STRING_FIELD = /("([\w-]*)"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'x-api-key', 'apikey', 'api-key', 'proxy-authorization']);

/** Secrets are found by their last KEY characters: a token's end is its signature, spread evenly, where its start (`eyJhbGci...`) is shared by every token of a run. */
const KEY = 8;

export class Redactor {
  readonly #labels = new Map<string, string>();
  /** Registered secrets by their last KEY characters, longest first; rebuilt after a registration. */
  #byEnd: Map<string, string[]> | undefined;
  readonly #secretHeaders = new Set(SECRET_HEADERS);

  /** Remembers a secret value; from now on it is shown as `«label»`. Short values are ignored (too likely to collide with data). */
  register(secret: string | undefined, label: string): void {
    if (secret && secret.length >= KEY) {
      this.#labels.set(secret, label);
      this.#byEnd = undefined;
    }
  }

  /** Text the system under test sent or received (a body, a URL, a message): known secrets, token shapes, URL passwords and credential fields. */
  scrub(text: string): string {
    return this.scrubKnown(text).replace(STRING_FIELD, (field: string, head: string, name: string) => (isSecretName(name) ? `${head}"«redacted»"` : field));
  }

  /**
   * Text shipgate wrote itself (a report file): known secrets, token shapes and URL passwords only.
   * Its field names are shipgate's own (an accepted advisor finding's `key`), and every body of the
   * system inside it was scrubbed field by field when it was recorded.
   */
  scrubKnown(text: string): string {
    return maskUrlPassword(this.#replaceKnown(text).replace(JWT_SHAPE, '«redacted token»'));
  }

  /**
   * Every registered secret in `text` replaced by its label; where two overlap, the one that starts
   * first, and of those the longest (a token that contains another secret is replaced whole). One
   * pass over the text, whatever the number of secrets: a run registers a token for each of its
   * hundreds of identities, and every exchange it records is scrubbed.
   */
  #replaceKnown(text: string): string {
    if (this.#labels.size === 0 || text.length < KEY) return text;
    const byEnd = (this.#byEnd ??= this.#indexByEnd());
    const found: { from: number; to: number; label: string }[] = [];
    for (let end = KEY; end <= text.length; end++) {
      const candidates = byEnd.get(text.slice(end - KEY, end));
      if (!candidates) continue;
      for (const secret of candidates) {
        const from = end - secret.length;
        if (from >= 0 && text.startsWith(secret, from)) {
          found.push({ from, to: end, label: this.#labels.get(secret)! });
          break; // longest first: the others ending here lie inside it
        }
      }
    }
    if (found.length === 0) return text;
    found.sort((a, b) => a.from - b.from || b.to - a.to);
    let out = '';
    let at = 0;
    for (const f of found) {
      if (f.from < at) continue; // inside one already replaced
      out += `${text.slice(at, f.from)}«${f.label}»`;
      at = f.to;
    }
    return out + text.slice(at);
  }

  #indexByEnd(): Map<string, string[]> {
    const index = new Map<string, string[]>();
    for (const secret of this.#labels.keys()) {
      const key = secret.slice(-KEY);
      index.set(key, [...(index.get(key) ?? []), secret]);
    }
    for (const list of index.values()) list.sort((a, b) => b.length - a.length);
    return index;
  }

  /** Scrubs every string inside a JSON-like value (a finding, a report section). */
  scrubDeep<T>(value: T): T {
    if (typeof value === 'string') return this.scrub(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.scrubDeep(v)) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.scrubDeep(v)])) as T;
    }
    return value;
  }

  /** A header that carries credentials in this system (an API-key header named in the profile): its value is never shown. */
  secretHeader(name: string): void {
    this.#secretHeaders.add(name.toLowerCase());
  }

  headers(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      const scrubbed = this.scrub(value);
      out[name] = this.#secretHeaders.has(name.toLowerCase()) && scrubbed === value ? '«redacted»' : scrubbed;
    }
    return out;
  }
}

/** One redactor per process: every client, recorder and report writer in it uses the same registry. */
export const redactor = new Redactor();

/**
 * Registers the password of a database URL. One equal to the URL's user name (`postgres:postgres`)
 * is not: it would hide that role's name wherever the reports name it (the role is already shown
 * in the URL), and URLs still show it masked.
 */
export function registerUrlPassword(url: URL): void {
  const password = decodeURIComponent(url.password);
  if (password !== decodeURIComponent(url.username)) redactor.register(password, 'database password');
}

/** Registers a secret shipgate got from a profile hook (a token, a key): it is shown as `«label»` in everything shipgate writes. */
export function registerSecret(secret: string | undefined, label: string): void {
  redactor.register(secret, label);
}
