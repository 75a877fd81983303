import type { PageOrigin } from '../browser/browser-session.ts';
import { startPageServers } from '../browser/page-server.ts';
import type { TargetProfile } from '../profile/schema.ts';

/** The origins the cors suite opens pages at: the ones the system allows, and others. */
export interface CorsPages {
  allowed: PageOrigin[];
  disallowed: PageOrigin[];
}

export interface StartedCorsPages {
  pages: CorsPages;
  /** Variables for a launched system: its allowed origins (`cors.origins.env`). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts shipgate's page servers for the cors suite, before the system is launched, so a launched
 * system can be told its allowed origins. Two servers give the allowed origins
 * (`http://127.0.0.1:<a>`, `http://127.0.0.1:<c>`): the host a launched API listens on, so the
 * pages are same-site with it and a session cookie travels as it does between app.example.com and
 * api.example.com. The disallowed pages differ from an allowed one by host only
 * (`http://localhost:<a>`, another site) and by port only (`http://127.0.0.1:<b>`, the same site:
 * its cookies travel, only CORS stands in the way). A deployed system's declared origins are
 * opened by the browser's routing instead (no server of shipgate's can be them).
 */
export async function startCorsPages(profile: TargetProfile): Promise<StartedCorsPages | undefined> {
  const cors = profile.cors;
  if (!cors) return undefined;
  const servers = await startPageServers(3);
  const [a, b, c] = servers.ports as [number, number, number];
  const disallowed: PageOrigin[] = [
    { origin: `http://localhost:${a}`, routed: false },
    { origin: `http://127.0.0.1:${b}`, routed: false },
  ];
  if (Array.isArray(cors.origins)) {
    return { pages: { allowed: cors.origins.map((origin) => ({ origin, routed: true })), disallowed }, env: {}, close: servers.close };
  }
  const allowed: PageOrigin[] = [
    { origin: `http://127.0.0.1:${a}`, routed: false },
    { origin: `http://127.0.0.1:${c}`, routed: false },
  ];
  return { pages: { allowed, disallowed }, env: { [cors.origins.env]: allowed.map((p) => p.origin).join(cors.origins.separator) }, close: servers.close };
}
