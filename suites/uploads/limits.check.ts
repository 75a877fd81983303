import { createHash } from 'node:crypto';
import { findingRaiser, padTo, precondition, useTarget, type CheckContext, type StreamedOutcome } from 'shipgate';
import suite from './suite.ts';
import { UPLOADS_FINDINGS } from './findings.ts';
import { showStatuses, UploadApi, type UploadFile } from './upload-api.ts';

const target = await useTarget();
const api = new UploadApi(target);
const limit = api.spec.maxBytes;
const raise = findingRaiser(UPLOADS_FINDINGS);
const MiB = 1024 * 1024;
/** How far over the limit the early-refusal upload goes: more than loopback's socket buffers can hide. */
const SLACK = Math.max(Math.ceil(limit / 4), 16 * MiB);

const size = (n: number) => (n >= MiB ? `${n} bytes (${(n / MiB).toFixed(2)} MiB)` : `${n} bytes`);

function largeFile(bytes: number, what: string): UploadFile {
  const large = api.large();
  if (!large) return precondition({ title: 'shipgate has no sample of an allowed type to pad to the limit', needs: 'uploads.samples gives a file of an allowed type' });
  return { type: large.type, bytes: padTo(large.sample, large.type, bytes), what: `${what} (${large.type}, ${size(bytes)})` };
}

function answered(o: StreamedOutcome): string {
  if (o.status === 0) return `no answer (${o.error})`;
  if (o.sentWhenAnswered === 0) return `${o.status} from the headers alone, before any of the body was sent`;
  return `${o.status} ${o.early ? `after ${size(o.sentWhenAnswered ?? 0)} of ${size(o.total)} were sent` : `only once all ${size(o.total)} were sent`}`;
}

/** An over-limit upload must be refused with the declared status: judged the same way by both checks. */
function judgeRefusal(o: StreamedOutcome, file: UploadFile): void {
  const evidence = [{ label: `upload of ${file.what}`, exchange: o.exchange }];
  if (o.status >= 200 && o.status < 300) {
    raise('UPLOAD_OVER_LIMIT_ACCEPTED', `an upload of ${size(file.bytes.length)}, over the ${size(limit)} limit, was accepted (${o.status})`, evidence, {
      expected: `${showStatuses(api.tooLarge)} (uploads.refusals.tooLarge)`,
      actual: `${o.status}`,
    });
  }
  if (!api.tooLarge.includes(o.status)) {
    raise('UPLOAD_OVER_LIMIT_WRONG_STATUS', `an upload of ${size(file.bytes.length)}, over the ${size(limit)} limit, answered ${o.status === 0 ? `nothing: ${o.error}` : o.status}, not ${showStatuses(api.tooLarge)}`, evidence, {
      expected: `${showStatuses(api.tooLarge)} (uploads.refusals.tooLarge)`,
      actual: o.status === 0 ? 'no answer' : `${o.status}`,
    });
  }
}

async function owner(c: CheckContext) {
  return (await c.target.tenants.pair())[0];
}

suite.check('a file exactly at the size limit is accepted and stored as sent', async (c) => {
  const file = largeFile(limit, 'a file exactly at the limit');
  const tenant = await owner(c);
  const res = await api.upload(tenant, file, c.sample);
  if (res.status < 200 || res.status >= 300) {
    raise('UPLOAD_AT_LIMIT_REFUSED', `a file of exactly ${size(limit)}, the limit the profile declares (uploads.maxBytes), answered ${res.error ?? res.status}`, [{ label: `upload of ${file.what}`, exchange: res.exchange }], {
      expected: '2xx',
      actual: res.error ?? `${res.status}`,
    });
  }
  c.report({ title: 'size limit', rows: [{ upload: `exactly the limit: ${size(limit)}`, answer: `${res.status}`, ms: res.exchange.ms }] });
  const read = typeof api.spec.read === 'string' ? undefined : api.spec.read;
  if (!read?.size && !read?.sha256) return;
  const id = api.idOf(res.json);
  if (id === undefined) return precondition({ title: `the upload answered ${res.status} without an id (is uploads.id right?)`, needs: 'the upload answer names the new upload', evidence: [{ label: 'upload', exchange: res.exchange }] });
  const back = await api.read(tenant, id, `${tenant.label} reads its upload back`);
  if (back.status < 200 || back.status >= 300) {
    precondition({ title: `the owner's read of its upload answered ${back.error ?? back.status} (is uploads.read right?)`, needs: 'the owner reads its upload back', evidence: [{ label: 'read', exchange: back.exchange }] });
  }
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  const storedSize = read.size?.(back.json);
  const storedHash = read.sha256?.(back.json);
  if (read.size && Number(storedSize) !== limit) {
    raise('UPLOAD_STORED_WRONG', `the upload of ${size(limit)} was stored as ${storedSize} bytes`, [{ label: 'read back', exchange: back.exchange }], { expected: `${limit}`, actual: `${storedSize}` });
  }
  if (read.sha256 && String(storedHash).toLowerCase() !== sha256) {
    raise('UPLOAD_STORED_WRONG', `the upload of ${size(limit)} was stored with SHA-256 ${storedHash}, not the ${sha256} of the bytes sent`, [{ label: 'read back', exchange: back.exchange }], { expected: sha256, actual: `${storedHash}` });
  }
});

suite.check('one byte over the size limit is refused', async (c) => {
  const file = largeFile(limit + 1, 'a file one byte over the limit');
  const out = await api.streamed(await owner(c), file, c.sample, `upload of ${file.what}`);
  c.report({ title: 'size limit', rows: [{ upload: `one byte over: ${size(limit + 1)}`, answer: answered(out), ms: out.ms }] });
  judgeRefusal(out, file);
});

suite.check('an upload over the size limit is refused while it is still being sent', async (c) => {
  const file = largeFile(limit + SLACK, `a file ${size(SLACK)} over the limit`);
  const out = await api.streamed(await owner(c), file, c.sample, `upload of ${file.what}`);
  c.report({ title: 'size limit', rows: [{ upload: `well over: ${size(limit + SLACK)}`, answer: answered(out), ms: out.ms }] });
  judgeRefusal(out, file);
  if (!out.early) {
    raise(
      'UPLOAD_LIMIT_LATE',
      `an upload ${size(SLACK)} over the ${size(limit)} limit was refused only once all ${size(out.total)} had been sent: the server consumed the whole body before refusing it`,
      [{ label: `upload of ${file.what}`, exchange: out.exchange }],
      { expected: `the refusal before the body is consumed (by its Content-Length, or once the limit is passed)`, actual: `the refusal after ${size(out.total)}` },
    );
  }
});
