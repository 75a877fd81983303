/**
 * Read-only production, by construction: once a process is declared read-only (its run's target is
 * `production`), the HTTP layer refuses every method but GET, HEAD and OPTIONS, and the database
 * layer every statement but reads, whoever asks: a suite, a profile hook, a future suite. The
 * declaration is a one-way latch on the global object (non-writable, non-configurable): nothing
 * in the process can lift it again, and a second copy of this module sees the same latch.
 */

import { recordRefusal, refuse } from './refusals.ts';

const LATCH = Symbol.for('shipgate.readOnly');

type Slots = Record<symbol, unknown>;
const slots = globalThis as unknown as Slots;

/** The methods a read-only target is sent: they read, and change nothing by HTTP's own definition. */
export const READ_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

/** Why a production run is read-only, as refusals say it. */
export const PRODUCTION_READ_ONLY = "the target is 'production', which shipgate only reads (GET, HEAD, OPTIONS; read-only SQL)";

/** Declares this process read-only for the rest of its life; a second call changes nothing. */
export function enforceReadOnly(why: string): void {
  if (LATCH in slots) return;
  Object.defineProperty(globalThis, LATCH, { value: why, writable: false, configurable: false, enumerable: false });
}

/** Why this process is read-only, or undefined when it may write. */
export function readOnlyReason(): string | undefined {
  return slots[LATCH] as string | undefined;
}

const refusalMessage = (refused: string) => `read-only target: ${readOnlyReason() ?? 'this run is read-only'}, so shipgate refused to send ${refused}: this needs a write`;

/** Records and throws the refusal of `refused` on a read-only target (a request, a statement, a profile hook that writes by definition). */
export function refuseWrite(refused: string): never {
  return refuse(refused, refusalMessage(refused));
}

/** Records the refusal of `refused` made where nothing can be thrown into shipgate (a browser page), and returns its message. */
export function noteRefusedWrite(refused: string): string {
  return recordRefusal(refusalMessage(refused));
}

/**
 * What a browser page runs before its own scripts in a read-only run: `fetch`, XMLHttpRequest,
 * `sendBeacon` and form submission send only GET, HEAD and OPTIONS; anything else is refused in
 * the page (a rejected fetch, a thrown error) and reported to shipgate through `binding`.
 */
export function pageReadOnlyScript(binding: string): string {
  return `(() => {
  const READ = new Set(${JSON.stringify(READ_METHODS)});
  const refuse = (method, url) => {
    const what = method + ' ' + url + ' (from a browser page)';
    try { window[${JSON.stringify(binding)}](what); } catch {}
    return new TypeError('read-only target: shipgate refused to let the page send ' + what);
  };
  const fetch0 = window.fetch;
  window.fetch = function (input, init) {
    const request = input instanceof Request ? input : undefined;
    const method = String((init && init.method) || (request ? request.method : 'GET')).toUpperCase();
    if (!READ.has(method)) return Promise.reject(refuse(method, String(request ? request.url : input)));
    return fetch0.apply(this, arguments);
  };
  const open0 = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url) {
    if (!READ.has(String(method).toUpperCase())) throw refuse(String(method).toUpperCase(), String(url));
    return open0.apply(this, arguments);
  };
  if (navigator.sendBeacon) navigator.sendBeacon = function (url) { refuse('POST', String(url)); return false; };
  const submit0 = HTMLFormElement.prototype.submit;
  HTMLFormElement.prototype.submit = function () {
    const method = String(this.method || 'GET').toUpperCase();
    if (!READ.has(method)) throw refuse(method, String(this.action));
    return submit0.apply(this, arguments);
  };
  document.addEventListener('submit', (event) => {
    const form = event.target;
    const method = String((form && form.method) || 'GET').toUpperCase();
    if (!READ.has(method)) { event.preventDefault(); refuse(method, String(form.action)); }
  }, true);
})();`;
}

/** Throws (sending nothing) unless `method` only reads or this process may write. */
export function assertMayRequest(method: string, where: string): void {
  if (readOnlyReason() === undefined) return;
  if (!READ_METHODS.includes(method.toUpperCase())) refuseWrite(`${method.toUpperCase()} ${where}`);
}

/** A statement's text with comments and string literals blanked, for the keyword checks below. */
function bare(sql: string): string {
  return sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, "''")
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/\s+/g, ' ')
    .trim();
}

/** Statements a read-only session may run: reads, and the transaction and timeout handling around them. */
const READ_STATEMENT = /^(select|with|show|values|table|explain|fetch|close|declare\s+\w+\s+(?:(?:binary|insensitive|asensitive|no\s+scroll|scroll)\s+)*cursor|begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|set\s+(?:local\s+|session\s+)?(?:statement_timeout|lock_timeout|idle_in_transaction_session_timeout|application_name|search_path)\b)/i;
/**
 * What may not appear anywhere in a read-only session's statement: whatever could lift the
 * read-only transaction (`READ WRITE`, the `*_read_only` settings, `set_config`), run elsewhere
 * (`dblink`), or reach past the rows (advisory locks the system itself may use, signalling backends,
 * large objects, server files, `EXPLAIN ANALYZE`, which runs its statement).
 */
const FORBIDDEN = /\bread\s+write\b|read_only|default_transaction|session\s+characteristics|\bset_config\b|\bdblink|\bpg_(?:try_)?advisory|\bpg_(?:terminate|cancel)_backend\b|\bpg_reload_conf\b|\bpg_switch_wal\b|\bpg_rotate_logfile\b|\blo_\w+\s*\(|\bpg_(?:read|write|stat)_(?:binary_)?file\b|\bpg_ls_dir\b|\bcopy\b|\bexplain\s*(?:\(\s*)?analy[sz]e\b|\bnextval\b|\bsetval\b|\bpg_notify\b/i;

/** Throws (sending nothing) unless `sql` is a read, or this process may write. */
export function assertMayQuery(sql: string): void {
  if (readOnlyReason() === undefined) return;
  const text = bare(sql);
  if (!READ_STATEMENT.test(text) || FORBIDDEN.test(text)) {
    refuseWrite(`the statement ${text.length > 120 ? `${text.slice(0, 117)}...` : text}`);
  }
}
