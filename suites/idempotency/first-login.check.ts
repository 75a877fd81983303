import fc from 'fast-check';
import type pg from 'pg';
import { afterAll } from 'vitest';
import { connectDatabase, databaseSettings, fail, parseRoute, precondition, registerSecret, timeoutFor, useTarget, type BurstRequest, type FirstLoginIds } from 'shipgate';
import suite from './suite.ts';
import { IDEMPOTENCY_FINDINGS } from './findings.ts';

const target = await useTarget();
const spec = target.profile.idempotency?.firstLogin;
const instances = target.context.baseUrls.length;

/**
 * Bursts per run, at least: a loser of the race exists only when two first logins overlap inside
 * the system's get-or-create, a window of a millisecond or so. One burst of 6-10 logins makes
 * one about a quarter of the time on a busy 2-core machine, so the CI default of 4 schedules
 * missed a defect that leaves a loser's tenant behind in about 1 run of 3; 30 bursts (under a
 * second of requests) miss it about once in 4,000 runs.
 */
const FIRST_LOGIN_BURSTS = 30;
const bursts = Math.max(target.context.iterations, FIRST_LOGIN_BURSTS);

const sameIds = (a: FirstLoginIds, b: FirstLoginIds) => a.user === b.user && a.tenant === b.tenant;

let db: Promise<pg.Client> | undefined;
afterAll(async () => {
  await db?.then((c) => c.end()).catch(() => {});
});

/** The system's own records of an identity (idempotency.firstLogin.records), read-only, `$1` = its subject. */
async function recordsOf(subject: string): Promise<{ rows: { kind: string; id: string }[]; sql: string }> {
  const sql = spec!.records!.sql;
  const settings = databaseSettings(target.profile, target.context);
  if ('missing' in settings) precondition({ title: `idempotency.firstLogin.records needs the database: ${settings.missing}`, needs: 'the database behind the API, to count what a first login made' });
  db ??= connectDatabase(settings.url, 'the first-login records witness').then(async (c) => {
    await c.query('SET default_transaction_read_only = on');
    return c;
  });
  const shown = `${sql.trim()}  -- $1 = ${subject}`;
  let rows: Record<string, unknown>[];
  try {
    rows = (await (await db).query<Record<string, unknown>>(sql, [subject])).rows;
  } catch (err) {
    return precondition({ title: `idempotency.firstLogin.records failed: ${(err as Error).message}`, needs: 'the records SQL runs, read-only, with $1 = the subject the identity hook returned', evidence: [{ label: 'records SQL', sql: shown }] });
  }
  const odd = rows.find((r) => (r.kind !== 'user' && r.kind !== 'tenant') || (typeof r.id !== 'string' && typeof r.id !== 'number'));
  if (odd) precondition({ title: `idempotency.firstLogin.records returned a row that is not { kind: 'user' | 'tenant', id }: ${JSON.stringify(odd)}`, needs: "the records SQL returns one row per record, with kind 'user' or 'tenant' and its id", evidence: [{ label: 'records SQL', sql: shown }] });
  return { rows: rows.map((r) => ({ kind: String(r.kind), id: String(r.id) })), sql: shown };
}

suite.check(`concurrent first logins of one new user create one user and one tenant${spec?.records ? ', and nothing else the answers do not name' : ''}`, async (c) => {
  if (!spec) return c.notApplicable('the profile has no idempotency.firstLogin block');
  const route = parseRoute(spec.route);
  const logins = fc.array(fc.nat({ max: instances - 1 }), { minLength: 6, maxLength: 10 });
  await c.forAll(
    logins,
    async (spread) => {
      const { token, subject } = await spec.identity(c.target.tenants.context());
      // The hook made this token, not shipgate's identities: register it so no report shows it.
      registerSecret(token, 'first-login token');
      if (spec.records && !subject) {
        precondition({ title: 'idempotency.firstLogin.identity returned no subject, so its records cannot be counted (idempotency.firstLogin.records)', needs: 'the identity hook returns { token, subject }: what its records carry, $1 of the records SQL' });
      }
      const before = spec.records && subject ? await recordsOf(subject) : undefined;
      if (before && before.rows.length > 0) {
        precondition({
          title: `the identity hook gave an identity that already has ${before.rows.length} record(s) before its first login, so what the logins make cannot be counted`,
          needs: 'idempotency.firstLogin.identity makes a brand-new identity each time',
          evidence: [{ label: 'its records before', sql: before.sql, data: before.rows }],
        });
      }
      const identity = { label: 'a new user, first login', token };
      const requests = spread.map((instance): BurstRequest<null> => ({ identity, instance, method: route.method, path: route.path, key: 'first login', meta: null }));
      const history = await c.burst('first-login bursts', requests);
      const broken = history.ops.filter((op) => op.status < 200 || op.status >= 300);
      if (broken.length > 0) {
        fail({
          code: 'FIRST_LOGIN_INDEFINITE',
          ...IDEMPOTENCY_FINDINGS.FIRST_LOGIN_INDEFINITE,
          title: `${broken.length} of ${history.ops.length} concurrent first logins of one new user answered ${[...new Set(broken.map((o) => o.error ?? o.status))].join(', ')}`,
          evidence: [{ label: 'the burst', text: history.timeline() }, ...broken.slice(0, 2).map((op) => ({ label: `first login #${op.index}`, exchange: op.exchange }))],
        });
      }
      const answered = history.ops.map((op) => ({ op, ids: spec.ids(op.json) }));
      const users = [...new Set(answered.map((a) => a.ids.user))];
      const tenants = [...new Set(answered.map((a) => a.ids.tenant))];
      if (users.length > 1 || tenants.length > 1) {
        fail({
          code: 'FIRST_LOGIN_DUPLICATE',
          ...IDEMPOTENCY_FINDINGS.FIRST_LOGIN_DUPLICATE,
          title: `${history.ops.length} concurrent first logins of one new user created ${users.length} users in ${tenants.length} tenants`,
          expected: '1 user in 1 tenant, named by every answer',
          actual: `users ${users.join(', ')}; tenants ${tenants.join(', ')}`,
          evidence: [
            { label: 'the burst', text: history.timeline() },
            ...users.slice(0, 3).map((u) => ({ label: `an answer naming user ${u}`, exchange: answered.find((a) => a.ids.user === u)!.op.exchange })),
          ],
        });
      }
      // The system's own data: what exists for the identity now, whatever the answers named.
      if (before && subject) {
        const after = await recordsOf(subject);
        const named = { user: answered[0]!.ids.user, tenant: answered[0]!.ids.tenant };
        const orphans = after.rows.filter((r) => r.id !== named[r.kind as 'user' | 'tenant']);
        const missing = (['user', 'tenant'] as const).filter((k) => !after.rows.some((r) => r.kind === k && r.id === named[k]));
        if (orphans.length > 0 || missing.length > 0) {
          fail({
            code: 'FIRST_LOGIN_ORPHANS',
            ...IDEMPOTENCY_FINDINGS.FIRST_LOGIN_ORPHANS,
            title:
              orphans.length > 0
                ? `${history.ops.length} concurrent first logins of one new user all named user ${named.user} in tenant ${named.tenant}, yet the system holds ${orphans.length} more record(s) for it that no answer names: ${orphans.map((r) => `${r.kind} ${r.id}`).slice(0, 5).join(', ')}`
                : `after ${history.ops.length} concurrent first logins, the ${missing.join(' and ')} every answer named is not among the identity's records`,
            expected: `exactly user ${named.user} and tenant ${named.tenant}`,
            actual: `${after.rows.filter((r) => r.kind === 'user').length} user(s), ${after.rows.filter((r) => r.kind === 'tenant').length} tenant(s)`,
            evidence: [
              { label: "the identity's records after the logins (idempotency.firstLogin.records)", sql: after.sql, data: after.rows },
              { label: 'the burst', text: history.timeline() },
            ],
          });
        }
      }
      if (spec.whoami) {
        const who = parseRoute(spec.whoami.route);
        const res = await c.target.anonymous.send({ method: who.method, path: who.path, token, label: 'the new user asks who it is' });
        const ids = res.status >= 200 && res.status < 300 ? spec.whoami.ids(res.json) : undefined;
        if (!ids || !sameIds(ids, answered[0]!.ids)) {
          fail({
            code: 'FIRST_LOGIN_DUPLICATE',
            ...IDEMPOTENCY_FINDINGS.FIRST_LOGIN_DUPLICATE,
            title: `after concurrent first logins that all named user ${answered[0]!.ids.user} in tenant ${answered[0]!.ids.tenant}, the system says the user is ${ids ? `${ids.user} in tenant ${ids.tenant}` : `unknown (${res.error ?? res.status})`}`,
            evidence: [{ label: 'who am I', exchange: res.exchange }, { label: 'the burst', text: history.timeline() }],
          });
        }
      }
    },
    { runs: bursts },
  );
}, timeoutFor(bursts, 2_000));
