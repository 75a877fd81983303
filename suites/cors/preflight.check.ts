import { corsGrant, findingRaiser, judgeGrant, precondition, unknownOrigins, useTarget, type CheckContext, type GrantProblem, type HttpResult } from 'shipgate';
import suite from './suite.ts';
import { CORS_FINDINGS } from './findings.ts';
import { corsCalls, credentialFor, rawExchanges } from './cors-calls.ts';

const target = await useTarget();
const cors = target.profile.cors!;
const sendWrites = target.profile.kind === 'ephemeral';
const raise = findingRaiser(CORS_FINDINGS);

interface Judged {
  origin: string;
  why: string;
  exchange: HttpResult;
  problem: GrantProblem;
}

// The worst first: a reflected origin with credentials lets any site act as the user.
const RANK: Record<string, number> = { 'reflects-credentials': 0, 'wildcard-credentials': 1, reflects: 2, wildcard: 3 };
const rank = (p: GrantProblem) => RANK[p.kind === 'reflects' && p.credentials ? 'reflects-credentials' : p.kind]!;

function allowedOrigins(): string[] {
  const pages = target.context.corsPages;
  if (!pages) return precondition({ title: 'shipgate served no pages for this run', needs: 'the run starts the cors pages when the profile has a cors block' });
  return pages.allowed.map((p) => p.origin);
}

/** Sends every call's preflight and, when safe, the call itself, from each origin; judges each answer's grant. */
async function judgeAll(c: CheckContext, origins: { origin: string; why: string }[], allowed: boolean): Promise<{ judged: Judged[]; sent: number }> {
  const credential = await credentialFor(c);
  const calls = corsCalls(cors.routes, c.sample);
  const judged: Judged[] = [];
  let sent = 0;
  for (const { origin, why } of origins) {
    for (const call of calls) {
      for (const credentialed of [true, false]) {
        const raw = await rawExchanges(c.target, credential, origin, call, credentialed, { sendWrites });
        for (const exchange of [raw.preflight, ...(raw.actual ? [raw.actual] : [])]) {
          sent += 1;
          if (exchange.status === 0) {
            precondition({ title: `the API did not answer ${exchange.exchange.label}: ${exchange.error}`, needs: 'the API answers preflights and calls', evidence: [{ label: 'request', exchange: exchange.exchange }] });
          }
          const problem = judgeGrant(corsGrant(exchange.headers), origin, { allowed, anonymous: cors.anonymous });
          if (problem) judged.push({ origin, why, exchange, problem });
        }
      }
    }
  }
  return { judged: judged.sort((a, b) => rank(a.problem) - rank(b.problem)), sent };
}

function raiseWorst(judged: Judged[]): void {
  const worst = judged[0];
  if (!worst) return;
  const others = judged.length > 1 ? ` (and ${judged.length - 1} more answers like it)` : '';
  const evidence = [{ label: worst.exchange.exchange.label ?? 'the exchange', exchange: worst.exchange.exchange }];
  const { problem } = worst;
  if (problem.kind === 'reflects') {
    raise('CORS_REFLECTS_ORIGIN', `the API grants ${worst.origin}, ${worst.why}: it answered ${problem.detail}${others}`, evidence, { expected: `no grant for ${worst.origin}`, actual: problem.detail });
  }
  if (problem.kind === 'wildcard-credentials') {
    raise('CORS_WILDCARD_WITH_CREDENTIALS', `the API answered ${problem.detail} to ${worst.origin}${others}`, evidence, { expected: 'an exact allowed origin with credentials, or * without', actual: problem.detail });
  }
  raise('CORS_WILDCARD_ORIGIN', `the API answered ${problem.detail} to ${worst.origin}, though cors.anonymous declares reads open to the allowed origins only${others}`, evidence, { expected: `no grant for ${worst.origin}`, actual: problem.detail });
}

suite.check('no preflight or answer grants an origin the system does not allow', async (c) => {
  const allowed = allowedOrigins();
  const pages = target.context.corsPages!.disallowed.map((p) => ({ origin: p.origin, why: "the origin of one of shipgate's own pages" }));
  const origins = [...unknownOrigins(allowed), ...pages.filter((p) => !allowed.includes(p.origin))];
  const { judged, sent } = await judgeAll(c, origins, false);
  c.report({ title: 'preflights from unknown origins', text: `${origins.length} origins the system does not allow (${origins.map((o) => o.origin).join(', ')}), ${sent} preflights and calls: ${judged.length} granted` });
  raiseWorst(judged);
});

suite.check('no preflight or answer to an allowed origin allows * with credentials', async (c) => {
  const origins = allowedOrigins().map((origin) => ({ origin, why: 'an allowed origin' }));
  const { judged, sent } = await judgeAll(c, origins, true);
  c.report({ title: 'preflights from the allowed origins', text: `${origins.length} allowed origins, ${sent} preflights and calls, ${judged.length} with * and credentials` });
  raiseWorst(judged);
});
