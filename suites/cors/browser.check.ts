import { afterAll } from 'vitest';
import { BrowserSession, findChromium, findingRaiser, precondition, useTarget, type CheckContext, type Evidence, type PageOrigin } from 'shipgate';
import suite from './suite.ts';
import { CORS_FINDINGS } from './findings.ts';
import { callFromPage, corsCalls, credentialFor, describeOutcome, isPlaceholder, rawExchanges, type Credential, type PageOutcome } from './cors-calls.ts';

const target = await useTarget();
const cors = target.profile.cors!;
const apiBase = target.context.baseUrls[0]!;
const sendWrites = target.profile.kind === 'ephemeral';
const raise = findingRaiser(CORS_FINDINGS);

/**
 * A page the browser's routing serves (a deployed system's own origin) is not on loopback; these
 * switch off Chromium's local-network-access gate, which would otherwise stop its calls to an API
 * on a private or loopback address before CORS is even asked. They do not touch CORS.
 */
const LOCAL_NETWORK_FLAGS = ['--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults'];

function pages(): { allowed: PageOrigin[]; disallowed: PageOrigin[] } {
  const p = target.context.corsPages;
  if (!p) return precondition({ title: 'shipgate served no pages for this run', needs: 'the run starts the cors pages when the profile has a cors block' });
  return p;
}

// One browser for the whole file, launched by the first check that needs it.
let session: Promise<BrowserSession> | undefined;
function browser(c: CheckContext): Promise<BrowserSession> {
  const found = findChromium();
  if ('missing' in found) return c.notApplicable(`it needs a Chromium: ${found.missing}`);
  session ??= BrowserSession.launch(found, { flags: pages().allowed.some((p) => p.routed) ? LOCAL_NETWORK_FLAGS : [] });
  return session;
}
afterAll(async () => {
  if (session) await (await session.catch(() => undefined))?.close();
});

/** Calls the browser makes: every declared route, but writes only on ephemeral targets. */
function browserCalls(c: CheckContext) {
  const calls = corsCalls(cors.routes, c.sample).filter((call) => sendWrites || !call.write);
  if (calls.length === 0) c.notApplicable(`every cors route is a write and the target is '${target.profile.kind}': only their preflights are sent (by the preflight checks)`);
  return calls;
}

interface PageRun {
  at: PageOrigin;
  credential: Credential;
  outcomes: PageOutcome[];
}

// The allowed pages' calls are made once: the first check judges them, the second needs them to
// show the browser reaches the API at all (a blocked call from elsewhere proves nothing otherwise).
let allowedRuns: Promise<PageRun[]> | undefined;
function fromAllowed(c: CheckContext): Promise<PageRun[]> {
  allowedRuns ??= (async () => {
    const session = await browser(c);
    const credential = await credentialFor(c);
    const calls = browserCalls(c);
    const runs: PageRun[] = [];
    for (const at of pages().allowed) runs.push({ at, credential, outcomes: await callFromPage(session, at, calls, { apiBase, credential, mode: cors.credentials }) });
    return runs;
  })();
  return allowedRuns;
}

const timedOut = (o: PageOutcome) => o.error?.startsWith('TimeoutError') ?? false;
const callName = (o: PageOutcome) => `${o.call.route.method} ${o.call.route.path} ${o.credentialed ? 'with credentials' : 'without credentials'}`;

async function evidenceFor(run: PageRun, o: PageOutcome): Promise<Evidence[]> {
  const raw = await rawExchanges(target, run.credential, run.at.origin, o.call, o.credentialed, { sendWrites });
  return [
    { label: `what the browser did at ${run.at.origin}`, text: describeOutcome(run.at, o, run.credential, cors.credentials, apiBase) },
    { label: `the preflight, as shipgate sends it with Origin: ${run.at.origin}`, exchange: raw.preflight.exchange },
    ...(raw.actual ? [{ label: `the call, as shipgate sends it with Origin: ${run.at.origin}`, exchange: raw.actual.exchange }] : []),
  ];
}

function table(runs: PageRun[], allowed: boolean) {
  return runs.flatMap((r) =>
    r.outcomes.map((o) => ({
      page: r.at.origin,
      allowed,
      call: callName(o),
      browser: o.read ? `read ${o.status}` : (o.error ?? 'blocked'),
    })),
  );
}

function inconclusiveOnTimeout(runs: PageRun[]): void {
  const late = runs.flatMap((r) => r.outcomes.filter(timedOut).map((o) => ({ r, o })));
  if (late.length > 0) {
    const { r, o } = late[0]!;
    precondition({
      title: `the API did not answer a call from a page within 10 s (${callName(o)} from ${r.at.origin}): a call that never came back says nothing about CORS`,
      needs: 'the API answers the calls the cors block names',
      evidence: [{ label: 'what the browser did', text: describeOutcome(r.at, o, r.credential, cors.credentials, apiBase) }],
    });
  }
}

suite.check('pages at the allowed origins call the API from a real browser, with and without credentials', async (c) => {
  const runs = await fromAllowed(c);
  c.report({ title: `browser: ${(await browser(c)).found.source}, Chromium ${(await browser(c)).version}`, rows: table(runs, true) });
  inconclusiveOnTimeout(runs);
  for (const run of runs) {
    const blocked = run.outcomes.find((o) => !o.read);
    if (blocked) {
      raise(
        'CORS_ALLOWED_ORIGIN_BLOCKED',
        `the browser blocked ${callName(blocked)} from ${run.at.origin}, an allowed origin (${blocked.error})${blocked.console[0] ? `: ${blocked.console[0]}` : ''}`,
        await evidenceFor(run, blocked),
        { expected: 'the page reads the answer', actual: blocked.error ?? 'blocked' },
      );
    }
  }
  // A credentialed call proves something only if the credentials reached the API (a cookie the
  // browser withholds makes it an anonymous call): the page's answer must be the one shipgate gets.
  const unauthenticated = c.target.profile.policy.unauthenticated;
  for (const run of runs.filter((r) => !isPlaceholder(r.credential))) {
    for (const o of run.outcomes.filter((x) => x.credentialed && x.read && !x.call.write && x.status === unauthenticated)) {
      const raw = await rawExchanges(target, run.credential, run.at.origin, o.call, true, { sendWrites: false });
      if (raw.actual && raw.actual.status >= 200 && raw.actual.status < 300) {
        precondition({
          title: `the page at ${run.at.origin} sent ${callName(o)} but the API answered ${o.status}, where the same call from shipgate answers ${raw.actual.status}: the browser did not send the credentials`,
          needs: 'the credentials reach the API from an allowed page (a session cookie travels only to a same-site API, as SameSite=Lax)',
          evidence: await evidenceFor(run, o),
        });
      }
    }
  }
});

suite.check('the browser blocks pages at every other origin, with and without credentials', async (c) => {
  const allowed = await fromAllowed(c);
  if (!allowed.some((r) => r.outcomes.some((o) => o.read))) {
    precondition({
      title: 'no call from an allowed origin went through, so a blocked call from another origin proves nothing (see the first check)',
      needs: 'the browser reaches the API from an allowed origin',
    });
  }
  const session = await browser(c);
  const credential = await credentialFor(c);
  const calls = browserCalls(c);
  const runs: PageRun[] = [];
  for (const at of pages().disallowed) runs.push({ at, credential, outcomes: await callFromPage(session, at, calls, { apiBase, credential, mode: cors.credentials }) });
  c.report({ title: 'browser: other origins', rows: table(runs, false) });
  inconclusiveOnTimeout(runs);
  for (const run of runs) {
    // Without credentials, a public API may let any site read (cors.anonymous: 'any').
    const read = run.outcomes.find((o) => o.read && (o.credentialed || cors.anonymous === 'allowlist'));
    if (read) {
      raise(
        'CORS_DISALLOWED_ORIGIN_READ',
        `a page at ${run.at.origin}, an origin the system does not allow, read ${callName(read)} (${read.status})`,
        await evidenceFor(run, read),
        { expected: 'TypeError: Failed to fetch (the browser blocks the call)', actual: `the page read ${read.status}` },
      );
    }
  }
});
