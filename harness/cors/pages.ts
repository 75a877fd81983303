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
 * (`http://localhost:<a>`, `http://localhost:<c>`); the disallowed pages differ from an allowed
 * one by host only (`http://127.0.0.1:<a>`) and by port only (`http://localhost:<b>`). A deployed
 * system's declared origins are opened by the browser's routing instead (no server can be them).
 */
export async function startCorsPages(profile: TargetProfile): Promise<StartedCorsPages | undefined> {
  const cors = profile.cors;
  if (!cors) return undefined;
  const servers = await startPageServers(3);
  const [a, b, c] = servers.ports as [number, number, number];
  const disallowed: PageOrigin[] = [
    { origin: `http://127.0.0.1:${a}`, routed: false },
    { origin: `http://localhost:${b}`, routed: false },
  ];
  if (Array.isArray(cors.origins)) {
    return { pages: { allowed: cors.origins.map((origin) => ({ origin, routed: true })), disallowed }, env: {}, close: servers.close };
  }
  const allowed: PageOrigin[] = [
    { origin: `http://localhost:${a}`, routed: false },
    { origin: `http://localhost:${c}`, routed: false },
  ];
  return { pages: { allowed, disallowed }, env: { [cors.origins.env]: allowed.map((p) => p.origin).join(cors.origins.separator) }, close: servers.close };
}
