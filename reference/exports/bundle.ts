import { createHash } from 'node:crypto';
import type pg from 'pg';

export interface Bundle {
  export_id: string;
  org_id: string;
  kind: string;
  generated_at: string;
  items: { type: 'document'; id: string; title: string; body: string; updated_at: string }[];
}

export interface Manifest {
  export_id: string;
  org_id: string;
  generated_by: string;
  generated_at: string;
  sha256: string;
  size_bytes: number;
  items: { type: string; id: string; sha256: string }[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The export's content (the org's documents) and its manifest: a hash per item and of the whole. */
export async function renderBundle(
  db: pg.Pool | pg.PoolClient,
  job: { id: string; org_id: string; kind: string },
  workerId: string,
): Promise<{ bundle: Bundle; manifest: Manifest; text: string }> {
  const { rows } = await db.query<{ id: string; title: string; body: string; updated_at: string }>(
    `SELECT id, title, body, to_jsonb(updated_at) #>> '{}' AS updated_at FROM public.documents WHERE org_id = $1 ORDER BY created_at, id`,
    [job.org_id],
  );
  const generatedAt = new Date().toISOString();
  const bundle: Bundle = {
    export_id: job.id,
    org_id: job.org_id,
    kind: job.kind,
    generated_at: generatedAt,
    items: rows.map((r) => ({ type: 'document', ...r })),
  };
  const text = JSON.stringify(bundle);
  const manifest: Manifest = {
    export_id: job.id,
    org_id: job.org_id,
    generated_by: workerId,
    generated_at: generatedAt,
    sha256: sha256(text),
    size_bytes: Buffer.byteLength(text),
    items: bundle.items.map((item) => ({ type: item.type, id: item.id, sha256: sha256(JSON.stringify(item)) })),
  };
  return { bundle, manifest, text };
}
