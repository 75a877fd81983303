/**
 * Reads what the Pact verifier says about each interaction (its JSON result) into one outcome per
 * interaction, in the order they were verified.
 */

/** One difference the verifier found between the pact and the answer. */
export interface PactMismatch {
  /** `StatusMismatch`, `BodyMismatch`, `HeaderMismatch`, `BodyTypeMismatch`, or `error`. */
  type: string;
  /** Where in the body or which header (`$.items`), when the verifier says. */
  path?: string;
  expected?: unknown;
  actual?: unknown;
  /** The verifier's words. */
  mismatch: string;
}

export interface InteractionVerdict {
  /** The consumer whose pact holds it, when the verifier's transcript names it. */
  consumer?: string;
  description: string;
  /** The provider states it was given, as the verifier names them. */
  given?: string;
  passed: boolean;
  /** A pending pact's failure: reported, never failing the run (the broker's pending-pacts feature). */
  pending: boolean;
  mismatches: PactMismatch[];
}

interface VerifierError {
  interaction?: string;
  mismatch?: { type?: string; message?: string; mismatches?: { type?: string; path?: string; expected?: unknown; actual?: unknown; mismatch?: string }[] };
}

export interface VerifierJson {
  result?: boolean;
  output?: string[];
  interactionResults?: { description?: string; result?: string }[];
  errors?: VerifierError[];
  pendingErrors?: VerifierError[];
  notices?: { text?: string }[];
}

// eslint-disable-next-line no-control-regex -- the transcript is coloured with ANSI escapes
const ANSI = /\u001b\[[0-9;]*m/g;
/** The verifier's coloured text, without its colours. */
export const withoutColours = (text: string) => text.replace(ANSI, '');

const PACT_HEADER = /^Verifying a pact between (.+) and (.+)$/;
const INTERACTION_LINE = /^ {2}(\S.*) \([^()]* loading, [^()]* verification\)$/;

/** The consumer of each interaction of the transcript, in order. */
function consumersInOrder(output: string[]): { consumer: string; description: string }[] {
  const out: { consumer: string; description: string }[] = [];
  let consumer: string | undefined;
  for (const raw of output.flatMap((l) => l.split('\n'))) {
    const line = withoutColours(raw);
    const pactHeader = PACT_HEADER.exec(line.trim());
    if (pactHeader) consumer = pactHeader[1];
    const interaction = INTERACTION_LINE.exec(line);
    if (interaction && consumer) out.push({ consumer, description: interaction[1] as string });
  }
  return out;
}

function mismatchesOf(e: VerifierError): PactMismatch[] {
  const m = e.mismatch;
  if (!m) return [{ type: 'error', mismatch: 'the verifier gave no detail' }];
  if (m.mismatches && m.mismatches.length > 0) {
    return m.mismatches.map((x) => ({
      type: x.type ?? 'Mismatch',
      ...(x.path !== undefined ? { path: x.path } : {}),
      ...(x.expected !== undefined ? { expected: x.expected } : {}),
      ...(x.actual !== undefined ? { actual: x.actual } : {}),
      mismatch: x.mismatch ?? 'mismatch',
    }));
  }
  return [{ type: m.type ?? 'error', mismatch: m.message ?? 'the interaction failed without a mismatch (see the verifier log)' }];
}

/** `Verifying a pact between C and P Given S - D`: the consumer, the states and the description of an error entry. */
function parseErrorName(name: string, descriptions: string[]): { consumer?: string; given?: string; description?: string } {
  const description = [...descriptions].sort((a, b) => b.length - a.length).find((d) => name.endsWith(` - ${d}`));
  if (!description) return {};
  const head = name.slice(0, name.length - description.length - 3);
  const m = /^Verifying a pact between (.+?) and .+?(?: Given (.+))?$/.exec(head);
  return { description, ...(m?.[1] ? { consumer: m[1] } : {}), ...(m?.[2] ? { given: m[2] } : {}) };
}

/** One verdict per interaction the verifier ran, in its order; errors and pending errors are joined to theirs. */
export function verdictsOf(json: VerifierJson): InteractionVerdict[] {
  const results = json.interactionResults ?? [];
  const descriptions = results.map((r) => r.description ?? '');
  const consumers = consumersInOrder(json.output ?? []);
  const unclaimed = (json.errors ?? []).map((e) => ({ e, pending: false, ...parseErrorName(e.interaction ?? '', descriptions) }));
  unclaimed.push(...(json.pendingErrors ?? []).map((e) => ({ e, pending: true, ...parseErrorName(e.interaction ?? '', descriptions) })));
  return results.map((r, i) => {
    const description = r.description ?? `interaction ${i + 1}`;
    const consumer = consumers[i]?.description === description ? consumers[i]!.consumer : undefined;
    const at = unclaimed.findIndex((u) => u.description === description && (consumer === undefined || u.consumer === undefined || u.consumer === consumer));
    const failure = at >= 0 ? unclaimed.splice(at, 1)[0] : undefined;
    const passed = failure === undefined && (r.result === undefined || r.result === 'OK');
    return {
      ...(consumer ?? failure?.consumer ? { consumer: consumer ?? failure?.consumer } : {}),
      description,
      ...(failure?.given ? { given: failure.given } : {}),
      passed,
      pending: failure?.pending ?? false,
      mismatches: failure ? mismatchesOf(failure.e) : passed ? [] : [{ type: 'error', mismatch: `the verifier says '${r.result}' without a mismatch (see the verifier log)` }],
    };
  });
}
