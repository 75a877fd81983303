/**
 * The database address inside a PostgreSQL URL, and the same URL pointed at a proxy instead.
 * Only URLs with a TCP host can go through a TCP proxy: a Unix socket (`?host=/var/run/...`) or a
 * key=value connection string cannot, and the reason says so.
 */
export type DatabaseAddress = { host: string; port: number } | { error: string };

export function databaseAddress(value: string): DatabaseAddress {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return { error: 'it is not a URL (a key=value connection string cannot be pointed at a proxy; give a postgres://user:password@host:port/database URL)' };
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return { error: `it is not a postgres:// URL (got ${u.protocol}//)` };
  if (u.searchParams.has('host')) return { error: 'it names its host in ?host= (a Unix socket or a host list), which a TCP proxy cannot stand in for' };
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!host) return { error: 'it has no TCP host (a Unix socket), which a TCP proxy cannot stand in for' };
  return { host, port: u.port ? Number(u.port) : 5432 };
}

/** `value` with its host and port replaced by the proxy's; user, password, database and options kept. */
export function throughProxy(value: string, proxy: { host: string; port: number }): string {
  const u = new URL(value);
  u.hostname = proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host;
  u.port = String(proxy.port);
  return u.toString();
}
