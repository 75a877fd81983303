import { findingRaiser, precondition, useTarget, verifyProvider, type Evidence, type PactMismatch, type VerifiedInteraction } from 'shipgate';
import suite from './suite.ts';
import { PACT_FINDINGS } from './findings.ts';

const raise = findingRaiser(PACT_FINDINGS);
const target = await useTarget();
// One verification of every pact, run while the checks are collected: each interaction becomes a check.
const run = await verifyProvider(target);

function where(m: PactMismatch): string {
  if (m.type === 'StatusMismatch') return 'status';
  if (m.type === 'HeaderMismatch') return `header ${m.path ?? ''}`.trim();
  if (m.type === 'BodyMismatch' || m.type === 'BodyTypeMismatch') return `body ${m.path ?? ''}`.trim();
  return m.type;
}

const named = (i: VerifiedInteraction) => `${i.verdict.consumer ? `${i.verdict.consumer}: ` : ''}${i.verdict.description}`;

function states(i: VerifiedInteraction): string {
  const given = i.record?.states.map((s) => `'${s.name}'${Object.keys(s.params).length > 0 ? ` ${JSON.stringify(s.params)}` : ''}`) ?? [];
  return given.length > 0 ? `given ${given.join(' and ')}` : i.verdict.given ? `given ${i.verdict.given}` : 'no provider state';
}

suite.check('the pacts are found and verified', async (c) => {
  for (const note of run.notes) c.report({ title: 'pact', text: note });
  c.report({ title: 'verifier log', text: `the Pact verifier's transcript: ${run.logFile}` });
  if (run.error) precondition({ title: run.error, needs: 'pact.files or pact.broker gives pacts naming pact.provider, and the Pact verifier can run' });
  c.report({
    title: `${run.interactions.length} interaction(s) verified`,
    rows: run.interactions.map((i) => ({ consumer: i.verdict.consumer ?? '', interaction: i.verdict.description, states: states(i), as: i.record?.actor ?? '', result: i.verdict.passed ? 'passed' : i.verdict.pending ? 'failed (pending pact: not gating)' : 'failed' })),
  });
});

for (const interaction of run.interactions) {
  suite.check(named(interaction), async (c) => {
    const { verdict, record } = interaction;
    const broken = record?.states.find((s) => s.error !== undefined);
    if (broken) {
      precondition({
        title: `${named(interaction)}: provider state '${broken.name}' could not be set up: ${broken.error}`,
        needs: `a pact.states hook that sets up '${broken.name}' on this system`,
        ...(record?.exchange ? { evidence: [{ label: 'the last request', exchange: record.exchange }] } : {}),
      });
    }
    const failedRemovals = record?.removals.filter((r) => r.outcome === 'failed') ?? [];
    if (failedRemovals.length > 0) c.report({ title: `${named(interaction)}: state clean-up`, text: failedRemovals.map((r) => `${r.what}: ${r.detail}`).join('\n') });
    if (verdict.passed) return;
    if (verdict.pending) {
      c.report({ title: `${named(interaction)}: pending pact`, text: `fails (${verdict.mismatches.map((m) => m.mismatch).join('; ')}), but the broker marks its pact pending: it does not gate this release` });
      return;
    }
    const evidence: Evidence[] = [];
    if (record?.exchange) evidence.push({ label: `the interaction's request, sent as ${record.actor}, and the answer`, exchange: record.exchange });
    evidence.push({ label: 'what the pact expects and what came back', data: verdict.mismatches });
    evidence.push({ label: 'provider states', text: states(interaction) });
    raise(
      'PACT_MISMATCH',
      `${named(interaction)} (${states(interaction)}): ${verdict.mismatches.map((m) => `${where(m)}: ${m.mismatch}`).join('; ')}`,
      evidence,
      { expected: 'the answer the pact describes', actual: verdict.mismatches.map((m) => m.mismatch).join('; ') },
    );
  });
}
