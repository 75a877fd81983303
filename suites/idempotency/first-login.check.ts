import fc from 'fast-check';
import { fail, parseRoute, registerSecret, timeoutFor, useTarget, type BurstRequest, type FirstLoginIds } from 'shipgate';
import suite from './suite.ts';
import { IDEMPOTENCY_FINDINGS } from './findings.ts';

const target = await useTarget();
const spec = target.profile.idempotency?.firstLogin;
const instances = target.context.baseUrls.length;

const sameIds = (a: FirstLoginIds, b: FirstLoginIds) => a.user === b.user && a.tenant === b.tenant;

suite.check('concurrent first logins of one new user create one user and one tenant', async (c) => {
  if (!spec) return c.notApplicable('the profile has no idempotency.firstLogin block');
  const route = parseRoute(spec.route);
  const logins = fc.array(fc.nat({ max: instances - 1 }), { minLength: 3, maxLength: 10 });
  await c.forAll(
    logins,
    async (spread) => {
      const { token } = await spec.identity(c.target.tenants.context());
      // The hook made this token, not shipgate's identities: register it so no report shows it.
      registerSecret(token, 'first-login token');
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
    { runs: c.target.context.iterations },
  );
}, timeoutFor(target.context.iterations, 2_000));
