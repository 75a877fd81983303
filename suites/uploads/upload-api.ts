import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import {
  PADDABLE_TYPES,
  fillPath,
  isJsonObject,
  multipartBody,
  blockAccess,
  parseRoute,
  sampleOf,
  sendStreamed,
  trackForCleanup,
  withCredentials,
  type Caller,
  type HttpResult,
  type OperationAccess,
  type Sample,
  type StreamedOutcome,
  type Target,
  type Tenant,
  type UploadsProfile,
} from 'shipgate';

/** A file to upload: its declared type and its bytes. */
export interface UploadFile {
  type: string;
  bytes: Buffer;
  /** What it is, for messages: `the PDF sample`, `an HTML page sent as image/png`. */
  what: string;
}

const statuses = (s: number | number[]) => (Array.isArray(s) ? s : [s]);
export const showStatuses = (s: number[]) => s.join(' or ');
const EXTENSIONS: Record<string, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'text/plain': 'txt', 'text/html': 'html' };

/** The profile's uploads capability, as the checks call it. */
export class UploadApi {
  readonly spec: UploadsProfile;
  readonly #target: Target;

  constructor(target: Target) {
    this.#target = target;
    this.spec = target.profile.uploads!;
  }

  get tooLarge(): number[] {
    return statuses(this.spec.refusals.tooLarge);
  }

  get typeRefused(): number[] {
    return statuses(this.spec.refusals.type);
  }

  /** The bytes shipgate sends as `type`, when it has (or was given) a sample of it. */
  sample(type: string): Buffer | undefined {
    return sampleOf(type, this.spec.samples, dirname(this.#target.context.configPath));
  }

  /** The allowed type the size checks pad to the limit, and its sample. */
  large(): { type: string; sample: Buffer } | undefined {
    const order = [...(this.spec.largeType ? [this.spec.largeType] : []), ...PADDABLE_TYPES, ...this.spec.allowedTypes];
    for (const type of order) {
      const sample = this.spec.allowedTypes.includes(type) ? this.sample(type) : undefined;
      if (sample) return { type, sample };
    }
    return undefined;
  }

  /** The multipart request for one file: the profile's other fields first, the file last. */
  request(file: UploadFile, sample: Sample): { body: Buffer; headers: Record<string, string> } {
    const fields = this.spec.fields?.(sample) ?? {};
    return multipartBody([
      ...Object.entries(fields).map(([name, value]) => ({ name, value })),
      { name: this.spec.field, filename: `${sample.unique('upload')}.${EXTENSIONS[file.type] ?? 'bin'}`, contentType: file.type, data: file.bytes },
    ]);
  }

  /** The id in an accepted upload's answer (call it on a 2xx only: the profile's hook reads a success). */
  idOf(body: unknown): string | undefined {
    const id = this.spec.id ? this.spec.id(body) : isJsonObject(body) ? body.id : undefined;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  }

  /** Uploads through the ordinary client; an accepted upload is removed at the end of the check on staging. */
  upload(owner: Tenant, file: UploadFile, sample: Sample, o: { key?: string; label?: string } = {}): Promise<HttpResult> {
    return this.send(owner, this.request(file, sample), o.label ?? `${owner.label} uploads ${file.what}`, o.key);
  }

  /** Sends a request built by `request` (the same bytes every time: an idempotent replay must be identical). */
  async send(owner: Tenant, { body, headers }: { body: Buffer; headers: Record<string, string> }, label: string, key?: string): Promise<HttpResult> {
    const route = parseRoute(this.spec.route);
    const keyed = key !== undefined && this.spec.idempotencyHeader ? { ...headers, [this.spec.idempotencyHeader]: key } : headers;
    const res = await owner.client.send({ method: route.method, path: route.path, body, headers: keyed, label });
    this.#track(owner, res.status, res.json);
    return res;
  }

  /** Uploads over a raw connection, noting how much was sent when the answer came (see sendStreamed). */
  async streamed(owner: Tenant, file: UploadFile, sample: Sample, label: string): Promise<StreamedOutcome> {
    const route = parseRoute(this.spec.route);
    const { body, headers } = this.request(file, sample);
    const base = this.#target.context.baseUrls[0]!;
    const outcome = await sendStreamed({
      url: new URL(route.path, base).toString(),
      method: route.method,
      headers: withCredentials({ ...headers, accept: 'application/json' }, owner.token, owner.client.transport),
      body,
      stallMs: this.#target.profile.http.timeoutMs,
      label,
    });
    let json: unknown;
    try {
      json = JSON.parse(outcome.body);
    } catch {
      json = undefined;
    }
    this.#track(owner, outcome.status, json);
    return outcome;
  }

  /** Reads an upload back as `as`. */
  read(as: Caller, id: string, label: string): Promise<HttpResult> {
    const route = parseRoute(this.readRoute);
    return as.client.send({ method: route.method, path: fillPath(route.path, { id }), label });
  }

  get readRoute(): string {
    return typeof this.spec.read === 'string' ? this.spec.read : this.spec.read.route;
  }

  /** Who may read an upload and how a denial answers, by the access model. */
  readAccess(): OperationAccess {
    return this.#access('read', typeof this.spec.read === 'string' ? {} : this.spec.read);
  }

  /** The delete route, when the profile gives one. */
  get removeRoute(): string | undefined {
    return typeof this.spec.remove === 'string' ? this.spec.remove : this.spec.remove?.route;
  }

  /** Who may delete an upload: its own declaration, else the default ('tenant'), never the read's. */
  removeAccess(): OperationAccess {
    return this.#access('remove', typeof this.spec.remove === 'object' ? this.spec.remove : {});
  }

  /** Who may change an upload: its own declaration, else the default ('tenant'), never the read's. */
  updateAccess(): OperationAccess {
    return this.#access('update', this.spec.update ?? {});
  }

  /** Deletes an upload as `as`. */
  remove(as: Caller, id: string, label: string): Promise<HttpResult> {
    const route = parseRoute(this.removeRoute!);
    return as.client.send({ method: route.method, path: fillPath(route.path, { id }), label });
  }

  /** Sends the profile's change, carrying `marker`, to an upload as `as`. */
  update(as: Caller, id: string, marker: string, sample: Sample, label: string): Promise<HttpResult> {
    const update = this.spec.update!;
    const route = parseRoute(update.route);
    return as.client.send({ method: route.method, path: fillPath(route.path, { id }), body: update.body(marker, sample), label });
  }

  #access(op: 'read' | 'remove' | 'update', declared: { access?: OperationAccess['level']; denied?: OperationAccess['denied'] }): OperationAccess {
    return blockAccess(this.#target.profile, declared, `uploads.${op}.access`);
  }

  missingId(): string {
    return this.spec.missingId ? this.spec.missingId() : randomUUID();
  }

  /** On a target that is kept (staging), every accepted upload is deleted when the check ends. */
  #track(owner: Tenant, status: number, body: unknown): void {
    const id = status >= 200 && status < 300 ? this.idOf(body) : undefined;
    if (id === undefined || !this.removeRoute) return;
    const route = parseRoute(this.removeRoute);
    trackForCleanup({
      item: { resource: 'upload', id, owner, created: body, markers: [] },
      remove: async () => {
        const res = await owner.client.send({ method: route.method, path: fillPath(route.path, { id }), label: `clean-up: ${owner.label} removes its upload` });
        return { ok: (res.status >= 200 && res.status < 300) || res.status === 404, detail: res.error ?? `remove answered ${res.status}` };
      },
    });
  }
}
