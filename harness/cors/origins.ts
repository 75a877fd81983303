/** An origin a strict allowlist refuses, and the loose check that would let it through. */
export interface UnknownOrigin {
  origin: string;
  why: string;
}

const isIp = (host: string) => /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');

/**
 * Origins no allowlist of `allowed` may grant, made from each allowed origin the way a loose check
 * goes wrong (prefix or suffix matching, an unanchored pattern, a subdomain wildcard, scheme or
 * port ignored), plus an unrelated site and the `null` origin of sandboxed frames and file pages.
 */
export function unknownOrigins(allowed: readonly string[]): UnknownOrigin[] {
  const out: UnknownOrigin[] = [
    { origin: 'https://evil.shipgate.test', why: 'an unrelated site' },
    { origin: 'null', why: 'the null origin (sandboxed frames, file: pages, some redirects)' },
  ];
  for (const a of allowed) {
    const u = new URL(a);
    const port = u.port ? `:${u.port}` : '';
    const host = u.hostname;
    const flipped = u.protocol === 'https:' ? 'http:' : 'https:';
    out.push({ origin: `${u.protocol}//${host}.evil.shipgate.test${port}`, why: `${a}'s host with a suffix (an allowlist matched by an unanchored pattern)` });
    // The allowed origin with more after it: another host, or another port whose digits start the same.
    const longer = !u.port ? `${a}.evil.shipgate.test` : Number(u.port) * 10 <= 65_535 ? `${a}0` : undefined;
    if (longer) out.push({ origin: longer, why: `${a} followed by more characters (an allowlist matched by prefix)` });
    if (!isIp(host)) {
      out.push({ origin: `${u.protocol}//evil${host}${port}`, why: `a host that ends like ${a}'s (an allowlist matched by suffix)` });
      out.push({ origin: `${u.protocol}//evil.${host}${port}`, why: `a subdomain of ${a}'s host (an allowlist that takes any subdomain)` });
    }
    out.push({ origin: `${flipped}//${host}${port}`, why: `${a}'s host over ${flipped.slice(0, -1)} (an allowlist that ignores the scheme)` });
    const other = u.port ? String(Number(u.port) === 65_535 ? 65_534 : Number(u.port) + 1) : u.protocol === 'https:' ? '8443' : '8080';
    out.push({ origin: `${u.protocol}//${host}:${other}`, why: `${a}'s host on another port (an allowlist that ignores the port)` });
  }
  const taken = new Set(allowed);
  const seen = new Set<string>();
  return out.filter((o) => !taken.has(o.origin) && !seen.has(o.origin) && seen.add(o.origin));
}

/** The CORS headers of an answer. */
export interface CorsGrant {
  allowOrigin?: string;
  allowCredentials: boolean;
}

export function corsGrant(headers: Record<string, string>): CorsGrant {
  const allowOrigin = headers['access-control-allow-origin'];
  return { ...(allowOrigin !== undefined ? { allowOrigin: allowOrigin.trim() } : {}), allowCredentials: headers['access-control-allow-credentials']?.trim() === 'true' };
}

/** What is wrong with an answer's CORS headers. */
export type GrantProblem =
  | { kind: 'wildcard-credentials'; detail: string }
  | { kind: 'reflects'; credentials: boolean; detail: string }
  | { kind: 'wildcard'; detail: string };

/**
 * Judges the CORS headers of an answer to `origin`: `*` with credentials is never valid; an
 * origin the system does not allow must never be granted, with credentials or (unless anonymous
 * reads are declared open to any origin) without.
 */
export function judgeGrant(grant: CorsGrant, origin: string, o: { allowed: boolean; anonymous: 'allowlist' | 'any' }): GrantProblem | undefined {
  if (grant.allowOrigin === '*' && grant.allowCredentials) {
    return { kind: 'wildcard-credentials', detail: 'Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true' };
  }
  if (o.allowed) return undefined;
  if (grant.allowOrigin === origin && (grant.allowCredentials || o.anonymous === 'allowlist')) {
    return { kind: 'reflects', credentials: grant.allowCredentials, detail: `Access-Control-Allow-Origin: ${origin}${grant.allowCredentials ? ' with Access-Control-Allow-Credentials: true' : ''}` };
  }
  if (grant.allowOrigin === '*' && o.anonymous === 'allowlist') {
    return { kind: 'wildcard', detail: 'Access-Control-Allow-Origin: * (any site may read the answer)' };
  }
  return undefined;
}
