import {
  ExportsApi,
  findingRaiser,
  hashValue,
  precondition,
  profileHttp,
  type CheckContext,
  type Evidence,
  type HashRecipe,
  type HttpResult,
  type QueuedExport,
  type TargetProfile,
} from 'shipgate';
import { EXPORTS_FINDINGS } from './findings.ts';

type Json = unknown;
const raise = findingRaiser(EXPORTS_FINDINGS);

/** One item of the export as shipgate hashed it. */
export interface HashedItem {
  id: string;
  hash: string;
  text: string;
}

/** The export the golden path produced, and the hashes shipgate computed from its download. */
export interface GoldenExport {
  spec: NonNullable<TargetProfile['exports']>;
  api: ExportsApi;
  x: QueuedExport;
  download: HttpResult;
  /** The part of the download the export's hash covers (`hashes.of`), parsed. */
  covered: Json;
  /** The text shipgate hashed and its hash. */
  text: string;
  hash: string;
  /** Undefined when the profile declares no `hashes.items`. */
  items?: HashedItem[];
  recipe: HashRecipe;
  /** Every state the export went through, for evidence. */
  timeline: string;
}

const CLIP = 2_000;
export const clip = (text: string) => (text.length > CLIP ? `${text.slice(0, CLIP)}… (${text.length - CLIP} more characters)` : text);

/** What shipgate hashed, as evidence: the canonical text and the hash it gives. */
export function hashedEvidence(g: GoldenExport, label = 'what shipgate hashed'): Evidence {
  const how = typeof g.recipe.canonical === 'function' ? 'the profile\'s canonical function' : g.recipe.canonical;
  return { label: `${label} (${how}${g.recipe.stripNulls ? ', nulls stripped' : ''}, ${g.recipe.algorithm}, ${g.recipe.encoding}): ${g.hash}`, text: clip(g.text) };
}

/**
 * The golden path: a tenant's data is prepared, an export requested, polled until it is done, and
 * downloaded; shipgate hashes the download itself, whole and item by item, as the profile declares.
 * Every failure on the way is a finding of the first check that asks for it.
 */
export async function produceGoldenExport(c: CheckContext): Promise<GoldenExport> {
  const spec = c.target.profile.exports!;
  const hashes = spec.hashes!;
  const recipe: HashRecipe = { canonical: hashes.canonical, stripNulls: hashes.stripNulls, algorithm: hashes.algorithm, encoding: hashes.encoding };
  const api = new ExportsApi(spec);
  const [owner] = await c.target.tenants.pair();
  if (spec.prepare) {
    try {
      await spec.prepare({ http: profileHttp(owner.client, { asCaller: true, label: `exports.prepare for ${owner.label}` }), sample: c.sample, tenantId: owner.principal.tenantId });
    } catch (err) {
      precondition({ title: `exports.prepare failed: ${(err as Error).message.split('\n')[0]}`, needs: "the profile's exports.prepare makes the data an export holds", evidence: [{ label: 'error', text: (err as Error).message }] });
    }
  }
  const request = api.queueRequest(c.sample);
  const queued = await owner.client.send({ ...request, label: `${owner.label} requests an export` });
  const id = queued.status >= 200 && queued.status < 300 ? api.idOf(queued.json) : undefined;
  if (id === undefined) {
    return raise('EXPORT_NOT_QUEUED', `requesting an export answered ${queued.error ?? queued.status}${queued.status >= 200 && queued.status < 300 ? ' without an id (is exports.request.id right?)' : ''}`, [{ label: 'request', exchange: queued.exchange }]);
  }
  const x: QueuedExport = { id, owner, queuedAt: Date.now() };
  const { last, unsettled } = await api.awaitSettled([x], spec.completeWithinMs);
  const timeline = () => api.timeline(id, x.queuedAt);
  if (unsettled.length > 0) {
    raise('EXPORT_NOT_COMPLETED', `export ${id} was not finished ${spec.completeWithinMs / 1000} s after it was requested (last state: ${last.get(id)?.state ?? 'never read'})`, [
      { label: `export ${id}, as observed`, text: timeline() },
      ...(last.get(id) ? [{ label: 'last status', exchange: last.get(id)!.exchange }] : []),
    ]);
  }
  if (last.get(id)?.state === 'failed') {
    raise('EXPORT_FAILED', `export ${id} failed`, [{ label: 'status', exchange: last.get(id)!.exchange }, { label: `export ${id}, as observed`, text: timeline() }]);
  }
  const download = (await api.download(x))!;
  if (download.status < 200 || download.status >= 300) {
    raise('EXPORT_DOWNLOAD_FAILED', `export ${id} is done but its download answered ${download.error ?? download.status}`, [{ label: 'download', exchange: download.exchange }, { label: `export ${id}, as observed`, text: timeline() }]);
  }
  let parsed: Json;
  if (recipe.canonical !== 'bytes') {
    try {
      parsed = JSON.parse(download.text);
    } catch (err) {
      raise(
        'EXPORT_DOWNLOAD_UNREADABLE',
        `the download of export ${id} is not JSON (${(err as Error).message}), so its hash cannot be recomputed in a JSON canonical form (declare exports.hashes.canonical: 'bytes' if the system hashes the file as served)`,
        [{ label: 'download', exchange: download.exchange }],
      );
    }
  }
  const covered = hashes.of ? hashes.of(parsed) : parsed;
  const whole = hashValue(covered, recipe, download.bytes ?? Buffer.from(download.text));
  const items = hashes.items ? hashes.items.list(parsed).map((item) => ({ id: String(hashes.items!.id(item)), ...hashValue(item, recipe) })) : undefined;
  return { spec, api, x, download, covered, text: whole.text, hash: whole.hash, ...(items ? { items } : {}), recipe, timeline: timeline() };
}
