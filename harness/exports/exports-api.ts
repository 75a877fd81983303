import type { HttpResult } from '../http/client.ts';
import type { Exchange } from '../http/exchange.ts';
import { fillPath, parseRoute } from '../http/route.ts';
import type { Tenant } from '../identities/tenants.ts';
import type { ExportState } from '../profile/concurrency-capabilities.ts';
import type { TargetProfile } from '../profile/schema.ts';
import { DeadlineError, pollUntil } from '../provision/poll.ts';
import type { Sample } from '../generate/sample.ts';
import type { Evidence } from '../findings/finding.ts';
import { isJsonObject } from '../http/json-object.ts';
import { precondition } from '../findings/raise.ts';
import { FilesWitnessError, type FilesSeen, type FilesWitness } from './files-witness.ts';

export type ExportsProfile = NonNullable<TargetProfile['exports']>;

/** One export a check queued, and who owns it. */
export interface QueuedExport {
  id: string;
  owner: Tenant;
  queuedAt: number;
}

/** An observed state of an export (kept only when it changed), for timelines. */
export interface ExportObservation {
  at: number;
  state: ExportState | 'unreadable';
  holder?: string;
  exchange: Exchange;
  body: unknown;
}

const isObject = isJsonObject;
const settledStates: ReadonlySet<string> = new Set(['done', 'failed']);

/** Who made a production, as far as the profile can tell. */
export interface Producer {
  worker?: string;
  attempt?: number;
}

/** What the witnesses say about one export's productions. */
export interface Witnessed {
  ledger: unknown[] | undefined;
  ledgerRes: HttpResult;
  files?: FilesSeen;
  /** How many times it was produced: the most any witness shows. */
  count: number;
  /** The fewest any witness shows: below `count`, one witness missed a production. */
  least: number;
  producers: Producer[];
  evidence: Evidence[];
}

/** Calls the profile's exports capability: queue, read the state, read the productions, wait. */
export class ExportsApi {
  readonly #spec: ExportsProfile;
  /** Every state change seen, by export id. */
  readonly observations = new Map<string, ExportObservation[]>();

  constructor(spec: ExportsProfile) {
    this.#spec = spec;
  }

  /** The request that queues one export (for a burst or a single send). */
  queueRequest(sample: Sample): { method: string; path: string; body?: unknown } {
    const route = parseRoute(this.#spec.request.route);
    const body = this.#spec.request.body?.(sample);
    return { method: route.method, path: route.path, ...(body !== undefined ? { body } : {}) };
  }

  idOf(body: unknown): string | undefined {
    const id = this.#spec.request.id ? this.#spec.request.id(body) : isObject(body) ? body.id : undefined;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  }

  async status(x: QueuedExport, instance = 0): Promise<ExportObservation> {
    const route = parseRoute(this.#spec.status.route);
    const res = await x.owner.client.send({ method: route.method, path: fillPath(route.path, { id: x.id }), instance, label: `${x.owner.label} reads export ${x.id}` });
    const ok = res.status >= 200 && res.status < 300 && res.json !== undefined;
    const observation: ExportObservation = {
      at: Date.now(),
      state: ok ? this.#spec.status.state(res.json) : 'unreadable',
      ...(ok && this.#spec.status.holder ? { holder: this.#spec.status.holder(res.json) ?? undefined } : {}),
      exchange: res.exchange,
      body: res.json,
    };
    const seen = this.observations.get(x.id) ?? [];
    const last = seen.at(-1);
    if (!last || last.state !== observation.state || last.holder !== observation.holder) this.observations.set(x.id, [...seen, observation]);
    return observation;
  }

  /** The system's record of each time the export was produced. */
  async productions(x: QueuedExport): Promise<{ items: unknown[] | undefined; res: HttpResult }> {
    const route = parseRoute(this.#spec.productions.route);
    const res = await x.owner.client.send({ method: route.method, path: fillPath(route.path, { id: x.id }), label: `${x.owner.label} reads how often export ${x.id} was produced` });
    if (res.status < 200 || res.status >= 300) return { items: undefined, res };
    const items = this.#spec.productions.items ? this.#spec.productions.items(res.json) : isObject(res.json) && Array.isArray(res.json.items) ? res.json.items : undefined;
    return { items, res };
  }

  /**
   * What every witness says about the productions of `x`: the ledger (`productions`) and, when the
   * profile gives one, the stored files (`files`). A ledger that deduplicates its own entries can
   * hide a second production; the files cannot. Throws `FilesWitnessError` if the files SQL fails.
   */
  async witnessed(x: QueuedExport, files?: FilesWitness): Promise<Witnessed> {
    const { items: ledger, res: ledgerRes } = await this.productions(x);
    const seenFiles = files ? await files.files(x.id) : undefined;
    const counts = [...(ledger ? [ledger.length] : []), ...(seenFiles ? [seenFiles.rows.length] : [])];
    const { worker, attempt } = this.#spec.productions;
    const producers = (ledger ?? []).map((item): Producer => {
      const w = worker?.(item) ?? undefined;
      const a = attempt?.(item) ?? undefined;
      return { ...(w !== undefined ? { worker: w } : {}), ...(a !== undefined ? { attempt: a } : {}) };
    });
    return {
      ledger,
      ledgerRes,
      ...(seenFiles ? { files: seenFiles } : {}),
      count: counts.length > 0 ? Math.max(...counts) : 0,
      least: counts.length > 0 ? Math.min(...counts) : 0,
      producers,
      evidence: [{ label: `productions of export ${x.id} (ledger): ${ledger?.length ?? 'unreadable'}`, exchange: ledgerRes.exchange }, ...(seenFiles ? [seenFiles.evidence] : [])],
    };
  }

  /**
   * `witnessed`, for a check that judges the count: a witness that cannot be read ends the check as
   * inconclusive (CHECK_PRECONDITION) instead of counting no production, which would pass as
   * "produced at most once".
   */
  async witnessedOrInconclusive(x: QueuedExport, files?: FilesWitness): Promise<Witnessed & { ledger: unknown[] }> {
    let seen: Witnessed;
    try {
      seen = await this.witnessed(x, files);
    } catch (err) {
      if (!(err instanceof FilesWitnessError)) throw err;
      return precondition({ title: `${err.message} (is exports.files.sql right?)`, needs: "the profile's SQL lists the bundles stored for an export", evidence: [err.evidence] });
    }
    const { ledger } = seen;
    if (!ledger) {
      return precondition({
        title: `reading the productions of export ${x.id} answered ${seen.ledgerRes.error ?? seen.ledgerRes.status} without a list (is exports.productions right?)`,
        needs: "the profile's productions route lists an export's productions",
        evidence: [{ label: 'productions', exchange: seen.ledgerRes.exchange }],
      });
    }
    return { ...seen, ledger };
  }

  async download(x: QueuedExport): Promise<HttpResult | undefined> {
    if (!this.#spec.download) return undefined;
    return this.#call(x, this.#spec.download, `${x.owner.label} downloads export ${x.id}`);
  }

  /** The export's manifest (`exports.manifest`), or undefined when the profile gives none. */
  async manifest(x: QueuedExport): Promise<HttpResult | undefined> {
    return this.#spec.manifest ? this.#call(x, this.#spec.manifest.route, `${x.owner.label} reads the manifest of export ${x.id}`) : undefined;
  }

  /** The system's own verification of the export (`exports.verify`), or undefined when the profile gives none. */
  async verify(x: QueuedExport): Promise<HttpResult | undefined> {
    return this.#spec.verify ? this.#call(x, this.#spec.verify.route, `${x.owner.label} asks the system to verify export ${x.id}`) : undefined;
  }

  #call(x: QueuedExport, routeText: string, label: string): Promise<HttpResult> {
    const route = parseRoute(routeText);
    return x.owner.client.send({ method: route.method, path: fillPath(route.path, { id: x.id }), label });
  }

  /**
   * Polls every export until each is done or failed, or the deadline passes. Returns the last
   * observation of each; the ones still unsettled at the deadline are listed, not thrown.
   */
  async awaitSettled(exports: QueuedExport[], deadlineMs: number): Promise<{ last: Map<string, ExportObservation>; unsettled: QueuedExport[] }> {
    const last = new Map<string, ExportObservation>();
    const pending = () => exports.filter((x) => !settledStates.has(last.get(x.id)?.state ?? ''));
    try {
      await pollUntil(
        async () => {
          const open = pending();
          const seen = await Promise.all(open.map((x, i) => this.status(x, i % x.owner.client.baseUrls.length)));
          open.forEach((x, i) => last.set(x.id, seen[i]!));
          return pending().length === 0 ? true : undefined;
        },
        { what: `${exports.length} exports to finish`, deadlineMs, intervalMs: 50 },
      );
    } catch (err) {
      if (!(err instanceof DeadlineError)) throw err;
    }
    return { last, unsettled: pending() };
  }

  /** Every state change of an export, relative to `from`, one line each. */
  timeline(id: string, from: number, events: { at: number; what: string }[] = []): string {
    const lines = [
      ...(this.observations.get(id) ?? []).map((o) => ({ at: o.at, what: `${o.state}${o.holder ? ` (held by ${o.holder})` : ''}` })),
      ...events,
    ].sort((a, b) => a.at - b.at);
    return lines.map((l) => `${`+${((l.at - from) / 1000).toFixed(3)} s`.padStart(11)}  ${l.what}`).join('\n');
  }
}
