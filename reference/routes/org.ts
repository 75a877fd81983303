import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireAdmin } from '../auth/roles.ts';
import type { AppContext } from '../context.ts';
import { asCaller, asService } from '../db/transactions.ts';
import { conflict } from '../http/errors.ts';
import { parseInput } from '../http/validation.ts';

const memberBody = z.object({
  /** The new member's identity-provider subject; their tokens carry it as `sub`. */
  sub: z.string().trim().min(1).max(200),
  email: z.email().max(320).optional(),
});

const renameBody = z.object({ name: z.string().trim().min(1).max(200) });

export function registerOrgRoutes(app: FastifyInstance, { pool, auth }: AppContext): void {
  // An admin renames its own org, through public.rename_org (which checks the caller again).
  app.patch('/v1/org', async (request) => {
    const caller = await auth.caller(request);
    requireAdmin(caller);
    const { name } = parseInput(renameBody, request.body, 'org');
    await asCaller(pool, caller, (db) => db.query('SELECT public.rename_org($1, $2)', [caller.orgId, name]));
    return { org_id: caller.orgId, name };
  });

  // An admin adds a member to its own org (an invitation already accepted, in a real product).
  app.post('/v1/org/members', async (request, reply) => {
    const caller = await auth.caller(request);
    requireAdmin(caller);
    const input = parseInput(memberBody, request.body, 'member');
    const { rows } = await asService(pool, (db) =>
      db.query<{ user_id: string; org_id: string; role: string }>(
        `INSERT INTO public.users (auth_sub, email, org_id, role) VALUES ($1, $2, $3, 'member')
         ON CONFLICT (auth_sub) DO NOTHING
         RETURNING id AS user_id, org_id, role`,
        [input.sub, input.email ?? null, caller.orgId],
      ),
    );
    const member = rows[0];
    if (!member) throw conflict('a user with this subject already exists');
    return reply.code(201).send(member);
  });

  // Closing the account: the org, everything it holds and its users are deleted (public.close_org).
  app.delete('/v1/org', async (request, reply) => {
    const caller = await auth.caller(request);
    requireAdmin(caller);
    await asService(pool, (db) => db.query('SELECT public.close_org($1)', [caller.orgId]));
    return reply.code(204).send();
  });
}
