import type { Exchange } from '../http/exchange.ts';

/** Who sends a request of a burst: a label for evidence and the bearer token (null: none). */
export interface BurstIdentity {
  label: string;
  token: string | null;
}

/** One request of a burst as it happened: who sent what, when it left, what came back. */
export interface Operation<M = unknown> {
  /** Position in the burst (the order the requests were handed to the network). */
  index: number;
  identity: string;
  instance: number;
  /** The logical key the checkers group by (a job run, a document, an idempotency key). */
  key: string;
  /** What the request means for the checkers, e.g. the fields it writes. */
  meta: M;
  method: string;
  path: string;
  /** When it was released (its last byte written to the socket), in ms after the release began. */
  sentMs: number;
  /**
   * When the first byte of its response was read, in ms after the release: negative when the answer
   * began before the release (the request was not complete yet). Absent when no response arrived.
   */
  firstByteMs?: number;
  /** When its whole response had been read, in ms after the release. */
  doneMs: number;
  /** 0 when no response arrived (see `error`). */
  status: number;
  text: string;
  json: unknown;
  error?: string;
  exchange: Exchange;
}

const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
const ms = (v: number) => `${v.toFixed(2).padStart(8)} ms`;

/** The recorded history of one burst, with what every checker and every finding needs from it. */
export class History<M = unknown> {
  constructor(
    readonly ops: Operation<M>[],
    /** Wall-clock time of the release, for timelines that span several bursts. */
    readonly releasedAt: Date,
  ) {}

  /**
   * Time between the first and the last request leaving: how tightly shipgate released the burst
   * (every last byte handed to the kernel within this). It does not show that the system received
   * the requests together or worked on them at the same time: a proxy may queue them, and a server
   * may take them one by one (the race then lives in the database, where their transactions meet).
   */
  get departureSpreadMs(): number {
    if (this.ops.length === 0) return 0;
    const sent = this.ops.map((o) => o.sentMs);
    return Math.max(...sent) - Math.min(...sent);
  }

  get instances(): number[] {
    return [...new Set(this.ops.map((o) => o.instance))].sort((a, b) => a - b);
  }

  get identities(): string[] {
    return [...new Set(this.ops.map((o) => o.identity))];
  }

  byKey(): Map<string, Operation<M>[]> {
    const groups = new Map<string, Operation<M>[]>();
    for (const op of this.ops) groups.set(op.key, [...(groups.get(op.key) ?? []), op]);
    return groups;
  }

  /**
   * Whether no answer to a request of `key` began before the key's last request was released. The
   * release is one synchronous loop, so an answer the system sends while it runs is only read after
   * it: this cannot show that the requests were processed together. What it catches is an answer
   * read before the release, i.e. to a request that was not complete yet (something in front of the
   * system, or the system itself, answering on the headers): that key was not raced. False for an
   * unknown key.
   */
  overlapped(key: string): boolean {
    const ops = this.ops.filter((o) => o.key === key);
    if (ops.length === 0) return false;
    const lastRelease = Math.max(...ops.map((o) => o.sentMs));
    return ops.every((o) => o.firstByteMs === undefined || o.firstByteMs >= lastRelease);
  }

  /** The keys sent by more than one request (the ones a race is about), and which of them overlapped (see `overlapped`). */
  overlap(): { raced: string[]; overlapped: string[] } {
    const raced = [...this.byKey()].filter(([, ops]) => ops.length > 1).map(([key]) => key);
    return { raced, overlapped: raced.filter((key) => this.overlapped(key)) };
  }

  /** One line per request, in the order they left: the evidence a race finding shows. */
  timeline(ops: Operation<M>[] = this.ops, limit = 40): string {
    const sorted = [...ops].sort((a, b) => a.sentMs - b.sentMs);
    const lines = [
      `burst released ${this.releasedAt.toISOString()}: ${this.ops.length} requests, ${this.identities.length} identities, instances ${this.instances.join(', ')}, departure spread ${this.departureSpreadMs.toFixed(2)} ms`,
      '   #   left at        first byte at  answered at    inst  from                     request                                  → answer',
    ];
    for (const op of sorted.slice(0, limit)) {
      const answer = op.error ? `no response (${op.error})` : `${op.status} ${clip((op.exchange.response?.body ?? '').replace(/\s+/g, ' '), 140)}`;
      lines.push(
        `${String(op.index).padStart(4)}  ${ms(op.sentMs)}  ${op.firstByteMs === undefined ? '—'.padStart(11) : ms(op.firstByteMs)}  ${ms(op.doneMs)}  ${String(op.instance).padStart(4)}  ${clip(op.identity, 24).padEnd(24)} ${clip(`${op.method} ${op.path}`, 40).padEnd(40)} → ${answer}`,
      );
    }
    if (sorted.length > limit) lines.push(`  … ${sorted.length - limit} more`);
    return lines.join('\n');
  }
}

export const acknowledged = (op: Operation): boolean => op.status >= 200 && op.status < 300;
