import { describe } from 'vitest';
import { fail, findInternals, useTarget, type Evidence } from 'shipgate';
import suite from './suite.ts';
import { ERROR_FINDINGS } from './findings.ts';
import { tried, type ProbeResult, type Tried } from './probes.ts';
import { notSent, probesOf } from './routes.ts';

const target = await useTarget();
// The generated ids and bodies come from the run's seed: the same seed sends the same requests.
const replay = { seed: target.context.seed, replay: target.replay('error-hygiene') };

/** Counts by key, in first-seen order, as `a×2, b×1` (Object.groupBy needs Node 21). */
function counted(ts: Tried[], key: (t: Tried) => string, sep: string): string {
  const counts = new Map<string, number>();
  for (const t of ts) counts.set(key(t), (counts.get(key(t)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}${sep}${n}`).join(', ');
}

/** What was malformed, e.g. "id 28, body 41, header 2". */
const tally = (all: Tried[]) => counted(all, (t) => t.family, ' ');
const statusesOf = (ts: Tried[]) => counted(ts, (t) => (t.res.status === 0 ? 'no answer' : String(t.res.status)), '×');

/** The report line of a probe: what was sent, how it was answered, what the schema gave and who sent it. */
function reportLine(r: ProbeResult): string {
  const schema = r.schema ? `; request schema: ${r.schema.sites} places × classes${r.schema.swept < r.schema.sites ? `, ${r.schema.swept} tried this seed` : ''}` : '';
  const renewed = r.renewals > 0 ? `; the route ended its sender's token ${r.renewals} time(s), and a new sender resent each request` : '';
  const throttled =
    r.throttled.resent + r.throttled.left > 0
      ? `; ${r.throttled.resent} answered 429 were sent again after their Retry-After${r.throttled.left > 0 ? `, ${r.throttled.left} stayed throttled when the wait ran out (their input is not judged)` : ''}`
      : '';
  return `${r.tried.length} sent (${tally(r.tried)}); answers ${statusesOf(r.tried)}${schema}${renewed}${throttled}`;
}

for (const probe of probesOf(target)) {
  describe(probe.label, () => {
    suite.check(`${probe.label}: malformed ids, bodies, content types and headers answer 4xx, never 5xx`, async (c) => {
      const why = notSent(c.target, probe);
      if (why) c.notApplicable(why);
      const result = await tried(c, probe);
      const all = result.tried;
      c.report({ title: `${probe.label}: malformed requests`, text: reportLine(result) });
      const broken = all.filter((t) => t.res.status >= 500 || (t.res.status === 0 && !t.dropped));
      if (broken.length === 0) return;
      const down = broken.some((t) => t.res.status === 0);
      fail({
        code: 'ERROR_SERVER_ERROR',
        ...ERROR_FINDINGS.ERROR_SERVER_ERROR,
        ...replay,
        title: `${probe.label} answered ${statusesOf(broken)} to ${broken.length} of ${all.length} malformed requests${down ? ', and stopped answering' : ''}: ${[...new Set(broken.map((t) => t.words))].slice(0, 3).join('; ')}`,
        expected: 'a 4xx for every malformed request (or a 2xx where the input is acceptable)',
        actual: statusesOf(broken),
        evidence: broken.slice(0, 3).map((t): Evidence => ({ label: t.words, exchange: t.res.exchange })),
      });
    });

    suite.check(`${probe.label}: no error answer carries SQL, stack frames, file paths or driver messages`, async (c) => {
      const why = notSent(c.target, probe);
      if (why) c.notApplicable(why);
      const all = (await tried(c, probe)).tried;
      const leaks = all
        .filter((t) => t.res.status >= 400)
        .map((t) => ({ t, found: findInternals(t.res.text, t.echoes) }))
        .filter((x) => x.found.length > 0);
      if (leaks.length === 0) return;
      const kinds = [...new Set(leaks.flatMap((x) => x.found.map((f) => f.shape.what)))];
      fail({
        code: 'ERROR_LEAKS_INTERNALS',
        ...ERROR_FINDINGS.ERROR_LEAKS_INTERNALS,
        ...replay,
        title: `${leaks.length} of ${all.length} error answers of ${probe.label} carry internals: ${kinds.slice(0, 3).join('; ')}`,
        expected: 'error answers that say what was wrong with the request, and nothing about the server',
        actual: kinds.join('; '),
        evidence: leaks.slice(0, 3).flatMap(({ t, found }): Evidence[] => [
          { label: t.words, exchange: t.res.exchange },
          { label: `what the answer gives away (${t.res.status})`, text: found.map((f) => `${f.shape.what}: ${f.excerpt}`).join('\n') },
        ]),
      });
    });
  });
}
