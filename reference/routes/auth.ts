import type { FastifyInstance } from 'fastify';
import { syncUser, syncUserCheckThenInsert } from '../auth/sync-user.ts';
import type { AppContext } from '../context.ts';
import { asCaller } from '../db/transactions.ts';

interface Profile {
  user_id: string;
  email: string | null;
  role: string;
  org_id: string;
  org_name: string;
  needs_onboarding: boolean;
}

export function registerAuthRoutes(app: FastifyInstance, { pool, auth, revocations, defects }: AppContext): void {
  const sync = defects.has('sync-user-duplicate') ? syncUserCheckThenInsert : syncUser;
  // The one route a token without org_id may call: it is how the org comes to exist.
  app.post('/auth/sync-user', async (request) => {
    const principal = await auth.principal(request);
    return sync(pool, principal.sub, principal.email);
  });

  app.get('/auth/me', async (request) => {
    const caller = await auth.caller(request);
    const profile = await asCaller(pool, caller, async (db) => {
      const { rows } = await db.query<Profile>(
        `SELECT u.id AS user_id, u.email, u.role, o.id AS org_id, o.name AS org_name,
                NOT EXISTS (SELECT 1 FROM public.documents AS d WHERE d.org_id = o.id)
                  AND NOT EXISTS (SELECT 1 FROM public.sources AS s WHERE s.org_id = o.id) AS needs_onboarding
           FROM public.users AS u JOIN public.orgs AS o ON o.id = u.org_id
          WHERE u.id = $1 AND u.org_id = $2`,
        [caller.userId, caller.orgId],
      );
      return rows[0];
    });
    if (!profile) throw new Error('the authenticated user vanished from its own org');
    return {
      user: { id: profile.user_id, email: profile.email, role: profile.role },
      org: { id: profile.org_id, name: profile.org_name },
      needs_onboarding: profile.needs_onboarding,
    };
  });

  app.post('/auth/logout', async (request, reply) => {
    const principal = await auth.principal(request);
    if (principal.jti !== null) await revocations.revoke(principal.jti, principal.sub);
    return reply.code(204).send();
  });
}
