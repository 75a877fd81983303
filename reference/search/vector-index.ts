import type { Db } from '../db/transactions.ts';

/** A set of embeddings to search, as SQL: a cheap fingerprint of its rows, and the rows. */
export interface VectorSource {
  /** Cache key: the org (or anything that names the same rows). */
  key: string;
  /** One row `{ n, newest }` that changes whenever a row of the set is added, changed or removed. */
  fingerprintSql: string;
  /** Rows `{ id, embedding }`. */
  rowsSql: string;
  params: unknown[];
}

interface Loaded {
  fingerprint: string;
  ids: string[];
  dims: number;
  /** Row-major, `ids.length` × `dims`. */
  vectors: Float32Array;
  norms: Float64Array;
}

export interface Neighbour {
  id: string;
  /** Cosine similarity to the query (0 when either vector is all zeros). */
  score: number;
}

/**
 * Cosine nearest neighbours over an org's embeddings, in the API process. PostgreSQL here has no
 * pgvector, and cosine similarity in SQL (unnest of two real[]) costs about 0.2 ms a row at 256
 * dimensions: a quarter of a second per search over 1,400 documents. Each set is read once through
 * the caller's own transaction (so RLS still decides what it may see) and read again when its
 * fingerprint (row count and newest update, one indexed query per search) changes; the least
 * recently used sets are dropped beyond `capacity`.
 */
export class VectorIndex {
  readonly #sets = new Map<string, Loaded>();

  constructor(private readonly capacity = 64) {}

  async nearest(db: Db, source: VectorSource, query: readonly number[], limit: number): Promise<Neighbour[]> {
    const set = await this.#load(db, source);
    if (set.ids.length === 0) return [];
    if (query.length !== set.dims) throw new Error(`the query vector has ${query.length} dimensions, the stored embeddings ${set.dims}`);
    // As the query reached PostgreSQL before (`$3::real[]`): each component rounded to float4.
    const q = Float64Array.from(query, Math.fround);
    let qq = 0;
    for (const x of q) qq += x * x;
    const scored: Neighbour[] = set.ids.map((id, row) => {
      const base = row * set.dims;
      let dot = 0;
      for (let i = 0; i < set.dims; i++) dot += set.vectors[base + i]! * q[i]!;
      const nn = set.norms[row]!;
      return { id, score: nn === 0 || qq === 0 ? 0 : dot / Math.sqrt(nn * qq) };
    });
    // Best first; equal scores by id, as `ORDER BY similarity DESC, document_id` would.
    return scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, limit);
  }

  async #load(db: Db, source: VectorSource): Promise<Loaded> {
    const { rows: fp } = await db.query<{ n: number; newest: string | null }>(source.fingerprintSql, source.params);
    const fingerprint = `${fp[0]?.n ?? 0}/${fp[0]?.newest ?? ''}`;
    const cached = this.#sets.get(source.key);
    if (cached && cached.fingerprint === fingerprint) {
      this.#sets.delete(source.key);
      this.#sets.set(source.key, cached);
      return cached;
    }
    const { rows } = await db.query<{ id: string; embedding: number[] }>(source.rowsSql, source.params);
    const dims = rows[0]?.embedding.length ?? 0;
    const vectors = new Float32Array(rows.length * dims);
    const norms = new Float64Array(rows.length);
    rows.forEach((r, row) => {
      if (r.embedding.length !== dims) throw new Error(`embeddings of ${dims} and ${r.embedding.length} dimensions in one set (${source.key})`);
      let nn = 0;
      for (let i = 0; i < dims; i++) {
        const x = r.embedding[i]!;
        vectors[row * dims + i] = x;
        nn += x * x;
      }
      norms[row] = nn;
    });
    const loaded = { fingerprint, ids: rows.map((r) => r.id), dims, vectors, norms };
    this.#sets.delete(source.key);
    this.#sets.set(source.key, loaded);
    while (this.#sets.size > this.capacity) this.#sets.delete(this.#sets.keys().next().value!);
    return loaded;
  }
}
