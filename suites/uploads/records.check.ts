import { describeLevel, differenceFromMissing, expectationFor, findingRaiser, precondition, useTarget, type Tenant } from 'shipgate';
import suite from './suite.ts';
import { UPLOADS_FINDINGS } from './findings.ts';
import { UploadApi, type UploadFile } from './upload-api.ts';

const target = await useTarget();
const api = new UploadApi(target);
const raise = findingRaiser(UPLOADS_FINDINGS);

/** A small file of an allowed type (the sample the size checks use). */
function smallFile(): UploadFile {
  const large = api.large();
  if (!large) return precondition({ title: 'shipgate has no sample of an allowed type', needs: 'uploads.samples gives a file of an allowed type' });
  return { type: large.type, bytes: large.sample, what: `a ${large.type} sample` };
}

suite.check('the same idempotency key returns the same record', async (c) => {
  const header = api.spec.idempotencyHeader;
  if (!header) return c.notApplicable('uploads.idempotencyHeader is not given (uploads do not honour an idempotency key)');
  const [owner] = await c.target.tenants.pair();
  const key = c.sample.unique('upload-key');
  // Built once: a replay sends exactly the same request.
  const request = api.request(smallFile(), c.sample);
  const first = await api.send(owner, request, `${owner.label} uploads with ${header}: ${key}`, key);
  if (first.status < 200 || first.status >= 300) {
    precondition({ title: `an upload with an idempotency key answered ${first.error ?? first.status}`, needs: 'a keyed upload of an allowed sample is accepted', evidence: [{ label: 'first upload', exchange: first.exchange }] });
  }
  const again = await api.send(owner, request, `${owner.label} sends the same upload with the same key again`, key);
  const ok = (r: typeof again) => r.status >= 200 && r.status < 300;
  const [a, b] = [api.idOf(first.json), ok(again) ? api.idOf(again.json) : undefined];
  if (a === undefined) precondition({ title: `the upload answered ${first.status} without an id (is uploads.id right?)`, needs: 'the upload answer names the new upload', evidence: [{ label: 'first upload', exchange: first.exchange }] });
  if (!ok(again) || a !== b) {
    raise(
      'UPLOAD_IDEMPOTENCY_BROKEN',
      again.status < 200 || again.status >= 300
        ? `repeating an upload with the same ${header} answered ${again.error ?? again.status} instead of the record it made`
        : `repeating an upload with the same ${header} made another record (${b ?? 'no id'}) instead of returning ${a}`,
      [
        { label: 'first upload', exchange: first.exchange },
        { label: 'the same upload, same key', exchange: again.exchange },
      ],
      { expected: `2xx naming ${a}`, actual: `${again.error ?? again.status}${b ? ` naming ${b}` : ''}` },
    );
  }
});

suite.check("another tenant cannot read an upload", async (c) => {
  const access = api.readAccess();
  const policy = c.target.profile.policy;
  const expected = expectationFor(access, 'stranger', undefined, policy);
  if (expected.outcome !== 'denied') return c.notApplicable(`another tenant may read uploads (${access.declaredAt}: ${describeLevel(access.level)})`);
  const [owner, stranger]: Tenant[] = await c.target.tenants.pair();
  const file = smallFile();
  const request = api.request(file, c.sample);
  const created = await api.send(owner!, request, `${owner!.label} uploads ${file.what}`);
  const id = created.status >= 200 && created.status < 300 ? api.idOf(created.json) : undefined;
  if (created.status < 200 || created.status >= 300 || id === undefined) {
    return precondition({ title: `an upload of ${file.what} answered ${created.error ?? created.status}${id === undefined ? ' without an id' : ''}`, needs: 'an upload of an allowed sample is accepted and named', evidence: [{ label: 'upload', exchange: created.exchange }] });
  }
  const own = await api.read(owner!, id, `${owner!.label} reads its own upload`);
  if (own.status < 200 || own.status >= 300) {
    precondition({ title: `the owner's read of its own upload answered ${own.error ?? own.status} (is uploads.read right?)`, needs: 'the owner reads its upload back', evidence: [{ label: 'own read', exchange: own.exchange }] });
  }
  const foreign = await api.read(stranger!, id, `${stranger!.label} reads ${owner!.label}'s upload`);
  const evidence = [
    { label: `${stranger!.label} reads ${owner!.label}'s upload`, exchange: foreign.exchange },
    { label: `${owner!.label} reads it`, exchange: own.exchange },
  ];
  const promised = expected.asMissing ? `the answer of a missing id (${policy.notFound})` : `${expected.status}`;
  if (foreign.status >= 200 && foreign.status < 300) {
    raise('UPLOAD_FOREIGN_READ', `${stranger!.label} read ${owner!.label}'s upload ${id} (${foreign.status})`, evidence, { expected: promised, actual: `${foreign.status}` });
  }
  // The file name shipgate made up is unique: in the denial, it would be the upload's data.
  const filename = /filename="([^"]+)"/.exec(request.body.subarray(0, 4_096).toString('latin1'))?.[1];
  if (filename && own.text.includes(filename) && foreign.text.includes(filename)) {
    raise('UPLOAD_FOREIGN_READ', `${stranger!.label}'s read of ${owner!.label}'s upload was refused (${foreign.status}) but the answer carries the upload's file name`, evidence, { expected: 'none of the upload\'s data', actual: `the file name ${filename}` });
  }
  if (expected.asMissing) {
    const [m1, m2] = [api.missingId(), api.missingId()];
    const missing = await api.read(stranger!, m1, `${stranger!.label} reads a missing upload`);
    const missingAgain = await api.read(stranger!, m2, `${stranger!.label} reads another missing upload`);
    const difference = differenceFromMissing(foreign, missing, missingAgain, [[id, m1, m2]]);
    if (difference) {
      raise('UPLOAD_FOREIGN_READ', `${owner!.label}'s upload answers ${stranger!.label} differently from a missing id, so its existence leaks: ${difference}`, [...evidence, { label: 'a missing id', exchange: missing.exchange }], {
        expected: promised,
        actual: `${foreign.status}`,
      });
    }
  } else if (foreign.status !== expected.status) {
    raise('UPLOAD_FOREIGN_READ', `${stranger!.label}'s read of ${owner!.label}'s upload answered ${foreign.error ?? foreign.status}, not the declared denial ${expected.status}`, evidence, { expected: promised, actual: `${foreign.error ?? foreign.status}` });
  }
});
