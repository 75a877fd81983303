/**
 * Another tenant's delete and change of an upload, where the profile gives those routes: refused
 * as the route's access declares, and the upload stays exactly as its owner stored it.
 */
import { describeLevel, differenceFromMissing, expectationFor, findingRaiser, precondition, useTarget, type Evidence, type HttpResult, type OperationAccess, type Sample, type Tenant } from 'shipgate';
import suite from './suite.ts';
import { UPLOADS_FINDINGS } from './findings.ts';
import { UploadApi } from './upload-api.ts';

const target = await useTarget();
const api = new UploadApi(target);
const raise = findingRaiser(UPLOADS_FINDINGS);
const policy = target.profile.policy;
const ok = (r: HttpResult) => r.status >= 200 && r.status < 300;

/** What the profile says the read shows of the stored file (size, SHA-256): a foreign write must leave both. */
function stored(read: HttpResult): { size?: number; sha256?: string } {
  const spec = typeof api.spec.read === 'string' ? undefined : api.spec.read;
  if (!spec) return {};
  return { ...(spec.size ? { size: spec.size(read.json) } : {}), ...(spec.sha256 ? { sha256: spec.sha256(read.json) } : {}) };
}

/** The owner's upload of a small allowed file, read back: what a foreign write must leave as it is. */
async function ownUpload(owner: Tenant, sample: Sample): Promise<{ id: string; before: HttpResult; filename: string | undefined }> {
  const large = api.large();
  if (!large) return precondition({ title: 'shipgate has no sample of an allowed type', needs: 'uploads.samples gives a file of an allowed type' });
  const request = api.request({ type: large.type, bytes: large.sample, what: `a ${large.type} sample` }, sample);
  const created = await api.send(owner, request, `${owner.label} uploads a ${large.type} sample`);
  const id = ok(created) ? api.idOf(created.json) : undefined;
  if (id === undefined) {
    return precondition({ title: `an upload of a ${large.type} sample answered ${created.error ?? created.status}${ok(created) ? ' without an id' : ''}`, needs: 'an upload of an allowed sample is accepted and named', evidence: [{ label: 'upload', exchange: created.exchange }] });
  }
  const before = await api.read(owner, id, `${owner.label} reads its own upload`);
  if (!ok(before)) {
    precondition({ title: `the owner's read of its own upload answered ${before.error ?? before.status} (is uploads.read right?)`, needs: 'the owner reads its upload back', evidence: [{ label: 'own read', exchange: before.exchange }] });
  }
  // The file name shipgate made up is unique: in a refusal, it would be the upload's data.
  const filename = /filename="([^"]+)"/.exec(request.body.subarray(0, 4_096).toString('latin1'))?.[1];
  return { id, before, filename };
}

/**
 * The refusal itself: none of the upload's data in it, and the declared denial: an answer a client
 * cannot tell from the same call on a missing id, or the declared status.
 */
async function judgeRefusal(o: {
  op: 'delete' | 'change';
  foreign: HttpResult;
  expected: { status: number; asMissing: boolean };
  access: OperationAccess;
  id: string;
  filename: string | undefined;
  onMissing: (id: string, label: string) => Promise<HttpResult>;
  evidence: Evidence[];
  who: string;
}): Promise<void> {
  const promised = o.expected.asMissing ? `the answer of a ${o.op} of a missing id` : `${o.expected.status} (${o.access.declaredAt})`;
  if (o.filename && o.foreign.text.includes(o.filename)) {
    raise('UPLOAD_FOREIGN_READ', `${o.who}'s ${o.op} was refused (${o.foreign.status}) but the answer carries the upload's file name`, o.evidence, { expected: 'none of the upload\'s data', actual: `the file name ${o.filename}` });
  }
  if (o.expected.asMissing) {
    const [m1, m2] = [api.missingId(), api.missingId()];
    const missing = await o.onMissing(m1, `the same ${o.op} of a missing upload`);
    const again = await o.onMissing(m2, `the same ${o.op} of another missing upload`);
    const difference = differenceFromMissing(o.foreign, missing, again, [[o.id, m1, m2]]);
    if (difference) {
      raise('UPLOAD_FOREIGN_WRITE_DENIAL', `${o.who}'s ${o.op} of the upload answers differently from a ${o.op} of a missing id, so the upload's existence leaks: ${difference}`, [...o.evidence, { label: `a ${o.op} of a missing id`, exchange: missing.exchange }], {
        expected: promised,
        actual: `${o.foreign.error ?? o.foreign.status}`,
      });
    }
  } else if (o.foreign.status !== o.expected.status) {
    raise('UPLOAD_FOREIGN_WRITE_DENIAL', `${o.who}'s ${o.op} of the upload answered ${o.foreign.error ?? o.foreign.status}, not the declared denial ${o.expected.status}`, o.evidence, { expected: promised, actual: `${o.foreign.error ?? o.foreign.status}` });
  }
}

/** The owner's upload after a foreign write: still there, the same size and hash (where the read shows them). */
function judgeUnchanged(o: { op: 'delete' | 'change'; before: HttpResult; after: HttpResult; evidence: Evidence[]; who: string; owner: string; id: string }): void {
  if (!ok(o.after)) {
    raise('UPLOAD_FOREIGN_WRITE', `after ${o.who}'s ${o.op}, ${o.owner}'s own read of its upload ${o.id} answers ${o.after.error ?? o.after.status}: the upload is gone`, o.evidence, { expected: "the owner's upload, as stored", actual: `${o.after.error ?? o.after.status}` });
  }
  const [was, now] = [stored(o.before), stored(o.after)];
  if (was.size !== now.size || was.sha256 !== now.sha256) {
    raise('UPLOAD_FOREIGN_WRITE', `after ${o.who}'s ${o.op}, ${o.owner}'s upload ${o.id} is no longer the file it stored`, o.evidence, {
      expected: `size ${was.size ?? '?'}, sha256 ${was.sha256 ?? '?'}`,
      actual: `size ${now.size ?? '?'}, sha256 ${now.sha256 ?? '?'}`,
    });
  }
}

/** Who the access model denies the write: another tenant, or undefined when it may write (the check then has nothing to judge). */
function denied(access: OperationAccess): { status: number; asMissing: boolean } | undefined {
  const e = expectationFor(access, 'stranger', undefined, policy);
  return e.outcome === 'denied' ? { status: e.status, asMissing: e.asMissing } : undefined;
}

suite.check('another tenant cannot delete an upload', async (c) => {
  if (!api.removeRoute) return c.notApplicable('uploads.remove is not given (no delete route to try)');
  const access = api.removeAccess();
  const expected = denied(access);
  if (!expected) return c.notApplicable(`another tenant may delete uploads (${access.declaredAt}: ${describeLevel(access.level)})`);
  const [owner, stranger]: Tenant[] = await c.target.tenants.pair();
  const { id, before, filename } = await ownUpload(owner!, c.sample);
  const who = stranger!.label;
  const foreign = await api.remove(stranger!, id, `${who} deletes ${owner!.label}'s upload`);
  const after = await api.read(owner!, id, `${owner!.label} reads its upload again`);
  const evidence: Evidence[] = [
    { label: `${who} deletes ${owner!.label}'s upload`, exchange: foreign.exchange },
    { label: `${owner!.label} reads it before`, exchange: before.exchange },
    { label: `${owner!.label} reads it after`, exchange: after.exchange },
  ];
  judgeUnchanged({ op: 'delete', before, after, evidence, who, owner: owner!.label, id });
  await judgeRefusal({ op: 'delete', foreign, expected, access, id, filename, evidence, who, onMissing: (m, label) => api.remove(stranger!, m, `${who}: ${label}`) });
  // The owner's own delete must work and show, or a refused foreign delete proves nothing.
  const own = await api.remove(owner!, id, `${owner!.label} deletes its own upload`);
  const gone = await api.read(owner!, id, `${owner!.label} reads its deleted upload`);
  if (!ok(own) || ok(gone)) {
    precondition({
      title: `the owner's delete of its own upload answered ${own.error ?? own.status} and its read then ${gone.error ?? gone.status} (is uploads.remove right?)`,
      needs: 'the owner deletes its own upload through uploads.remove, and it is gone',
      evidence: [{ label: 'own delete', exchange: own.exchange }, { label: 'read after', exchange: gone.exchange }],
    });
  }
});

suite.check('another tenant cannot change an upload', async (c) => {
  if (!api.spec.update) return c.notApplicable('uploads.update is not given (no change route to try)');
  const access = api.updateAccess();
  const expected = denied(access);
  if (!expected) return c.notApplicable(`another tenant may change uploads (${access.declaredAt}: ${describeLevel(access.level)})`);
  const [owner, stranger]: Tenant[] = await c.target.tenants.pair();
  const { id, before, filename } = await ownUpload(owner!, c.sample);
  const who = stranger!.label;
  const marker = c.sample.unique('foreign-change');
  const foreign = await api.update(stranger!, id, marker, c.sample, `${who} changes ${owner!.label}'s upload`);
  const after = await api.read(owner!, id, `${owner!.label} reads its upload again`);
  const evidence: Evidence[] = [
    { label: `${who} changes ${owner!.label}'s upload`, exchange: foreign.exchange },
    { label: `${owner!.label} reads it before`, exchange: before.exchange },
    { label: `${owner!.label} reads it after`, exchange: after.exchange },
  ];
  judgeUnchanged({ op: 'change', before, after, evidence, who, owner: owner!.label, id });
  if (after.text.includes(marker)) {
    raise('UPLOAD_FOREIGN_WRITE', `${who} changed ${owner!.label}'s upload ${id}: its change (answered ${foreign.error ?? foreign.status}) shows in the owner's read`, evidence, { expected: 'the upload as its owner left it', actual: `the owner's read carries ${marker}` });
  }
  await judgeRefusal({ op: 'change', foreign, expected, access, id, filename, evidence, who, onMissing: (m, label) => api.update(stranger!, m, marker, c.sample, `${who}: ${label}`) });
  // The owner's own change must show in its read, or a foreign change that does not show proves nothing.
  const ownMarker = c.sample.unique('own-change');
  const own = await api.update(owner!, id, ownMarker, c.sample, `${owner!.label} changes its own upload`);
  const shown = await api.read(owner!, id, `${owner!.label} reads its changed upload`);
  if (!ok(own) || !shown.text.includes(ownMarker)) {
    precondition({
      title: `the owner's change of its own upload answered ${own.error ?? own.status} and its read ${shown.text.includes(ownMarker) ? 'shows' : 'does not show'} the change (is uploads.update right? its body must put the marker where the read shows it)`,
      needs: "the owner's change through uploads.update shows in its read",
      evidence: [{ label: 'own change', exchange: own.exchange }, { label: 'read after', exchange: shown.exchange }],
    });
  }
});
