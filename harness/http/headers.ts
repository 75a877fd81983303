/**
 * Headers as evidence shows them: names in lower case, a repeated header joined with `, `, and
 * undefined ones left out. Takes whatever shape a client or server gives (node, undici, superagent).
 */
export function flatHeaders(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}
