import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
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
/** RFC 8785: the same text whatever order the keys were written in, as public.canonical_json prints it. */
const canonical = (value: unknown) => canonicalize(value)!;

export interface RenderOptions {
  /**
   * DEFECT hash-mismatch: the ledger event's hash is still taken of JSON.stringify(bundle), keys in
   * the order the code wrote them, from before the manifest moved to canonical JSON.
   */
  ledgerFromStringify: boolean;
}

/** The export's content (the org's documents), its manifest (a hash per item and of the whole), and the hash its ledger event records. */
export async function renderBundle(
  db: pg.Pool | pg.PoolClient,
  job: { id: string; org_id: string; kind: string },
  workerId: string,
  o: RenderOptions = { ledgerFromStringify: false },
): Promise<{ bundle: Bundle; manifest: Manifest; text: string; ledgerSha256: string }> {
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
  const text = canonical(bundle);
  const manifest: Manifest = {
    export_id: job.id,
    org_id: job.org_id,
    generated_by: workerId,
    generated_at: generatedAt,
    sha256: sha256(text),
    size_bytes: Buffer.byteLength(text),
    items: bundle.items.map((item) => ({ type: item.type, id: item.id, sha256: sha256(canonical(item)) })),
  };
  return { bundle, manifest, text, ledgerSha256: o.ledgerFromStringify ? sha256(JSON.stringify(bundle)) : manifest.sha256 };
}
