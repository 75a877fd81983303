import { REFUSED_SAMPLES, SIGNED_TYPES, findingRaiser, fixtureBytes, useTarget, type HttpResult, type ReportSection } from 'shipgate';
import suite from './suite.ts';
import { UPLOADS_FINDINGS } from './findings.ts';
import { showStatuses, UploadApi, type UploadFile } from './upload-api.ts';

const target = await useTarget();
const api = new UploadApi(target);
const allowed = api.spec.allowedTypes;
const raise = findingRaiser(UPLOADS_FINDINGS);
const ok = (r: HttpResult) => r.status >= 200 && r.status < 300;

/** Every upload of a check, for its part of the sign-off. */
function table(title: string, rows: { file: UploadFile; res: HttpResult }[]): ReportSection {
  return { title, rows: rows.map(({ file, res }) => ({ file: file.what, declared: file.type, answer: res.error ?? res.status })) };
}

suite.check('a file of each allowed type is accepted', async (c) => {
  const [owner] = await c.target.tenants.pair();
  const tried: { file: UploadFile; res: HttpResult }[] = [];
  const untried: string[] = [];
  for (const type of allowed) {
    const bytes = api.sample(type);
    if (!bytes) {
      untried.push(type);
      continue;
    }
    const file = { type, bytes, what: `a ${type} sample` };
    tried.push({ file, res: await api.upload(owner, file, c.sample) });
  }
  c.report(table('allowed types', tried));
  if (untried.length > 0) c.report({ title: 'allowed types', text: `not tried (no sample; give uploads.samples): ${untried.join(', ')}` });
  const refused = tried.filter((t) => !ok(t.res));
  if (refused.length > 0) {
    raise(
      'UPLOAD_ALLOWED_TYPE_REFUSED',
      `${refused.length} of ${tried.length} files of allowed types were refused (${refused.map((r) => `${r.file.type}: ${r.res.error ?? r.res.status}`).slice(0, 4).join('; ')})`,
      refused.slice(0, 3).map((r) => ({ label: `upload of ${r.file.what}`, exchange: r.res.exchange })),
    );
  }
});

suite.check('a file whose type is not on the allow-list is refused', async (c) => {
  const outside = REFUSED_SAMPLES.filter((s) => !allowed.includes(s.type));
  if (outside.length === 0) c.notApplicable(`every type shipgate has a refused sample of is allowed (${REFUSED_SAMPLES.map((s) => s.type).join(', ')})`);
  const [owner] = await c.target.tenants.pair();
  const tried: { file: UploadFile; res: HttpResult }[] = [];
  for (const s of outside) {
    const file = { type: s.type, bytes: fixtureBytes(s.file), what: `${s.what} (${s.type})` };
    tried.push({ file, res: await api.upload(owner, file, c.sample) });
  }
  c.report(table('types off the allow-list', tried));
  const accepted = tried.find((t) => ok(t.res));
  if (accepted) {
    raise('UPLOAD_TYPE_ACCEPTED', `${accepted.file.what} was accepted (${accepted.res.status}) though ${accepted.file.type} is not among the allowed types`, [{ label: `upload of ${accepted.file.what}`, exchange: accepted.res.exchange }], {
      expected: `${showStatuses(api.typeRefused)} (uploads.refusals.type)`,
      actual: `${accepted.res.status}`,
    });
  }
  const wrong = tried.find((t) => !api.typeRefused.includes(t.res.status));
  if (wrong) {
    raise('UPLOAD_TYPE_WRONG_STATUS', `${wrong.file.what} was refused with ${wrong.res.error ?? wrong.res.status}, not ${showStatuses(api.typeRefused)}`, [{ label: `upload of ${wrong.file.what}`, exchange: wrong.res.exchange }], {
      expected: `${showStatuses(api.typeRefused)} (uploads.refusals.type)`,
      actual: wrong.res.error ?? `${wrong.res.status}`,
    });
  }
});

suite.check('a file whose bytes are not of the allowed type its header names is refused', async (c) => {
  const signed = allowed.filter((t) => SIGNED_TYPES.has(t));
  const unsigned = allowed.filter((t) => !SIGNED_TYPES.has(t));
  if (signed.length === 0) c.notApplicable(`no allowed type is recognisable by its bytes (${allowed.join(', ')}): any bytes could be of these types`);
  const [owner] = await c.target.tenants.pair();
  // Bytes of no allowed type: a program's header (binary) and a page with a script (the classic spoofed image).
  const disguises = REFUSED_SAMPLES.filter((s) => s.type === 'application/x-msdownload' || s.type === 'text/html');
  const tried: { file: UploadFile; res: HttpResult }[] = [];
  for (const type of signed) {
    for (const d of disguises) {
      const file = { type, bytes: fixtureBytes(d.file), what: `${d.what} sent as ${type}` };
      tried.push({ file, res: await api.upload(owner, file, c.sample) });
    }
  }
  c.report(table('spoofed types (the header names an allowed type, the bytes are something else)', tried));
  if (unsigned.length > 0) c.report({ title: 'spoofed types', text: `not tried, no magic number to contradict: ${unsigned.join(', ')}` });
  const accepted = tried.filter((t) => ok(t.res));
  if (accepted.length > 0) {
    const first = accepted[0]!;
    raise(
      'UPLOAD_TYPE_SPOOF_ACCEPTED',
      `${accepted.length} of ${tried.length} files whose bytes are not of the type their header names were accepted, e.g. ${first.file.what} (${first.res.status}): the type was taken from the header alone`,
      accepted.slice(0, 2).map((a) => ({ label: `upload of ${a.file.what}`, exchange: a.res.exchange })),
      { expected: `${showStatuses(api.typeRefused)} (uploads.refusals.type)`, actual: `${first.res.status}` },
    );
  }
  const wrong = tried.find((t) => !api.typeRefused.includes(t.res.status));
  if (wrong) {
    raise('UPLOAD_TYPE_WRONG_STATUS', `${wrong.file.what} was refused with ${wrong.res.error ?? wrong.res.status}, not ${showStatuses(api.typeRefused)}`, [{ label: `upload of ${wrong.file.what}`, exchange: wrong.res.exchange }], {
      expected: `${showStatuses(api.typeRefused)} (uploads.refusals.type)`,
      actual: wrong.res.error ?? `${wrong.res.status}`,
    });
  }
});
