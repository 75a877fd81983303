import { containsToken } from '../generate/sample.ts';

/** A provider call as the double saw it and answered it. */
export interface RecordedCall {
  seq: number;
  at: string;
  method: string;
  path: string;
  kind: 'chat' | 'embeddings' | 'other';
  /** `extract_structured_updates`, `embeddings`, ... or null when the call names none. */
  op: string | null;
  user: string | null;
  request: { headers: Record<string, string>; body: string; bytes: number };
  /** The script that answered it, or null for the default answer. */
  script: { id: string; label?: string; owner?: string } | null;
  /**
   * `pending` while it waits (slow or hung), then `answered`, `released` (a hung call let go),
   * or `client-closed` (the system hung up first, e.g. its timeout fired).
   */
  outcome: 'pending' | 'answered' | 'released' | 'client-closed';
  response: { status: number; bytes: number; body: string } | null;
  ms: number | null;
}

export interface CallFilter {
  contains?: string;
  script?: string;
  owner?: string;
  op?: string;
}

/** Bodies kept per call: enough to show a finding, not a copy of every huge payload. */
const KEPT_BODY = 8_192;
/** A long run keeps its latest calls only (at most ~80 MB of bodies). */
const KEPT_CALLS = 5_000;

export const clip = (text: string) => (text.length > KEPT_BODY ? `${text.slice(0, KEPT_BODY)}… (${text.length - KEPT_BODY} more characters)` : text);

/** Every call the double received, oldest first (the oldest are dropped past a fixed count). */
export class CallLog {
  readonly #calls: RecordedCall[] = [];
  #seq = 0;

  add(call: Omit<RecordedCall, 'seq'>): RecordedCall {
    this.#seq += 1;
    const recorded = { ...call, seq: this.#seq };
    this.#calls.push(recorded);
    if (this.#calls.length > KEPT_CALLS) this.#calls.shift();
    return recorded;
  }

  find(f: CallFilter): RecordedCall[] {
    return this.#calls.filter(
      (c) =>
        (f.contains === undefined || containsToken(c.request.body, f.contains)) &&
        (f.script === undefined || c.script?.id === f.script) &&
        (f.owner === undefined || c.script?.owner === f.owner) &&
        (f.op === undefined || c.op === f.op),
    );
  }

  clear(): void {
    this.#calls.length = 0;
  }
}
