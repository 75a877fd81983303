/** A network failure in one line: the code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT...) and its message. */
export function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const message = e.cause?.message ?? e.message ?? String(err);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Failures where no connection was made at all: "could not connect", not "no answer within N s". */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Why a request got nothing back, in words: refused or unresolvable addresses said as such, others with the time waited. */
export function noAnswerWords(err: unknown, waitedMs: number): string {
  const e = err as { code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if (code && NOT_CONNECTED.has(code)) return `could not connect (${describeNetworkError(err)})`;
  return `got no answer within ${Math.round(waitedMs / 100) / 10} s (${describeNetworkError(err)})`;
}
