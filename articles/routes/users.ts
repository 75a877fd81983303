import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hashPassword, verifyNothing, verifyPassword } from '../auth/passwords.ts';
import type { AppContext } from '../context.ts';
import { httpError } from '../http/errors.ts';
import { text } from '../http/text.ts';
import { validate } from '../http/validate.ts';
import { unauthorized } from '../auth/token-error.ts';
import { revokeToken } from '../store/revoked-tokens.ts';
import { findUserByEmail, findUserById, insertUser, updateUser, type UserRow } from '../store/users.ts';

/** Printable, no spaces: usernames appear in `?author=` and in URLs. */
const username = z.string().regex(/^[^\s\p{C}]{1,64}$/u, 'must be 1 to 64 characters, no spaces');
const email = z.email().max(254);
/** scrypt works on any length; the cap keeps one request from costing seconds. */
const password = text(256).refine((s) => s.length >= 8, 'must be at least 8 characters');

const signupBody = z.object({ user: z.object({ username, email, password }) });
const loginBody = z.object({ user: z.object({ email: text(254), password: text(256) }) });
const changeBody = z.object({
  user: z.object({ email: email.optional(), password: password.optional() }).refine((u) => u.email !== undefined || u.password !== undefined, 'give email, password or both'),
});

const profile = (u: UserRow) => ({ id: u.id, username: u.username, email: u.email, admin: u.is_admin });

/** Sign-up, login, the current user, password and email changes, logout. */
export function registerUserRoutes(app: FastifyInstance, { pool, auth, tokens, signups, defects }: AppContext): void {
  const withToken = async (u: UserRow) => ({ id: u.id, username: u.username, email: u.email, token: await tokens.sign({ id: u.id, username: u.username, tokenVersion: u.token_version }) });

  app.post('/api/users', async (request, reply) => {
    signups.take();
    const { user } = validate(signupBody, request.body);
    const row = await insertUser(pool, { username: user.username, email: user.email, passwordHash: await hashPassword(user.password) });
    return reply.code(201).send({ user: await withToken(row) });
  });

  app.post('/api/users/login', async (request) => {
    signups.take();
    const { user } = validate(loginBody, request.body);
    const row = await findUserByEmail(pool, user.email);
    if (!row) await verifyNothing(user.password); // as slow as a wrong password: emails stay secret
    if (!row || !(await verifyPassword(user.password, row.password_hash))) throw httpError(401, 'credentials', 'invalid');
    return { user: await withToken(row) };
  });

  app.get('/api/user', async (request) => {
    const row = await findUserById(pool, (await auth.principal(request)).id);
    if (!row) throw unauthorized('invalid');
    return { user: profile(row) };
  });

  app.put('/api/user', async (request) => {
    const caller = await auth.principal(request);
    if (defects.has('account-email-500')) {
      // DEFECT account-email-500: addresses are compared case-insensitively, so the change lower-cases the e-mail first, before validation, trusting it to be text: a number, null or a list there throws a TypeError (500)
      const sent = request.body as { user?: { email?: string } } | undefined;
      if (sent?.user?.email !== undefined) sent.user.email = sent.user.email.trim().toLowerCase();
    }
    const { user } = validate(changeBody, request.body);
    const passwordHash = user.password === undefined ? undefined : await hashPassword(user.password);
    const row = await updateUser(pool, caller.id, { email: user.email, passwordHash });
    if (!row) throw unauthorized('invalid');
    // The new token carries the new token_version when the password changed.
    return { user: { ...profile(row), ...(await withToken(row)) } };
  });

  app.post('/api/users/logout', async (request, reply) => {
    const caller = await auth.principal(request);
    await revokeToken(pool, caller.jti, caller.exp);
    return reply.code(204).send();
  });
}
