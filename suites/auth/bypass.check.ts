import { cannotLaunch, fail, formatRoute, HttpClient, LaunchError, launchExtraInstance, useTarget, type HttpResult } from 'shipgate';
import suite from './suite.ts';
import { AUTH_FINDINGS } from './findings.ts';

const target = await useTarget();

suite.check('an auth bypass switch is refused at start-up in production', async (c) => {
  const { profile } = c.target;
  const bypass = profile.authBypass;
  if (!bypass) return c.notApplicable('the profile has no authBypass block (which variables switch the bypass on and make it production)');
  const why = cannotLaunch(c.target, bypass.service, { http: true });
  if (why) return c.notApplicable(why);
  const switches = Object.entries({ ...bypass.productionEnv, ...bypass.env }).map(([k, v]) => `${k}=${v}`).join(' ');

  // Control: in production mode without the bypass it must start, or a refusal below proves nothing.
  try {
    const control = await launchExtraInstance(c.target, bypass.service, bypass.productionEnv, 'production-control');
    await control.stop();
  } catch (err) {
    if (!(err instanceof LaunchError)) throw err;
    return fail({
      code: 'CHECK_PRECONDITION',
      title: `${bypass.service} does not start in production mode even without the bypass, so its refusal of the bypass proves nothing`,
      promise: 'authBypass.productionEnv makes a correct instance start in production mode',
      severity: 'high',
      evidence: [{ label: 'start-up without the bypass', text: err.message }],
    });
  }

  let started;
  try {
    started = await launchExtraInstance(c.target, bypass.service, { ...bypass.productionEnv, ...bypass.env }, 'auth-bypass');
  } catch (err) {
    if (!(err instanceof LaunchError) || err.reason !== 'exited') throw err;
    const named = Object.keys(bypass.env).filter((k) => err.logTail.includes(k));
    if (err.exit?.code === 0 || named.length === 0) {
      fail({
        code: 'AUTH_BYPASS_REFUSAL_UNCLEAR',
        ...AUTH_FINDINGS.AUTH_BYPASS_REFUSAL_UNCLEAR,
        title: `${bypass.service} stopped with ${switches}, but ${err.exit?.code === 0 ? 'exited 0 (looks like success to a supervisor)' : `its output does not name ${Object.keys(bypass.env).join(' or ')}`}`,
        expected: 'a non-zero exit whose message names the bypass variable',
        actual: `exit ${err.exit?.signal ?? err.exit?.code}`,
        evidence: [{ label: 'its output', text: err.logTail }],
      });
    }
    return;
  }
  // It started: show what an anonymous caller gets from it, then stop it.
  const probeRoute = target.resources.flatMap((a) => a.calls()).find((x) => x.op === 'list' && !x.needs.parent)?.route;
  let probe: HttpResult | undefined;
  if (probeRoute) {
    const client = new HttpClient({ baseUrls: [started.url as string], timeoutMs: profile.http.timeoutMs });
    probe = await client.send({ method: probeRoute.method, path: probeRoute.path, token: null, label: `anonymous ${formatRoute(probeRoute)} on the bypassed instance` });
    await client.close();
  }
  const log = started.logTail(15);
  await started.stop();
  fail({
    code: 'AUTH_BYPASS_IN_PRODUCTION',
    ...AUTH_FINDINGS.AUTH_BYPASS_IN_PRODUCTION,
    title: `${bypass.service} started and served with ${switches}${probe && probe.status >= 200 && probe.status < 300 ? `, answering an anonymous ${formatRoute(probeRoute!)} with ${probe.status}` : ''}`,
    expected: 'the process refuses to start (exits non-zero naming the variable)',
    actual: `ready at ${started.url}`,
    evidence: [
      { label: 'variables set', text: switches },
      ...(probe ? [{ label: 'anonymous request to the bypassed instance', exchange: probe.exchange }] : []),
      { label: 'its log', text: log },
    ],
  });
});
