import { fail, formatRoute, HttpClient, LaunchError, parseRoute, startHttpInstance, useTarget, type HttpResult } from 'shipgate';
import suite from './suite.ts';
import { AUTH_FINDINGS } from './findings.ts';

const target = await useTarget();

suite.check('an auth bypass switch is refused at start-up in production', async (c) => {
  const { profile, context } = c.target;
  const bypass = profile.authBypass;
  if (!bypass) return c.notApplicable('the profile has no authBypass block (which variables switch the bypass on and make it production)');
  if (!profile.launch || !context.launch) return c.notApplicable('shipgate did not launch this target, so it cannot start an instance with the bypass switched on');
  const service = profile.launch.services[bypass.service];
  if (!service?.http) return c.notApplicable(`the launched service '${bypass.service}' has no http block`);
  const env = { ...context.launch.env, ...service.env, ...bypass.productionEnv, ...bypass.env };
  const switches = Object.entries({ ...bypass.productionEnv, ...bypass.env }).map(([k, v]) => `${k}=${v}`).join(' ');
  let started;
  try {
    started = await startHttpInstance(
      { name: `${bypass.service}-auth-bypass`, command: service.command, cwd: context.launch.cwd, env, logsDir: context.launch.logsDir },
      0,
      { portEnv: service.http.portEnv, readiness: service.http.readiness, deadlineMs: profile.launch.readyTimeoutMs },
    );
  } catch (err) {
    // Exiting before it is ready is the promised refusal; anything else is not.
    if (err instanceof LaunchError && err.reason === 'exited') return;
    throw err;
  }
  // It started: show what an anonymous caller gets from it, then stop it.
  const probeRoute = target.resources.flatMap((a) => a.calls()).find((x) => x.op === 'list')?.route ??
    (profile.protectedRoutes[0] ? parseRoute(profile.protectedRoutes[0]) : undefined);
  let probe: HttpResult | undefined;
  if (probeRoute && !probeRoute.path.includes('{')) {
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
