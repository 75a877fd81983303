import type pg from 'pg';
import { asCaller, asService, type Caller } from '../db/transactions.ts';
import type { ProviderClient } from '../provider/client.ts';
import { hybridSearch, unscopedTextSearch, vectorIndexFor, type SearchHit } from './hybrid.ts';

export interface SearchOutcome {
  /** `text` when the query could not be embedded: the full-text leg alone ranked the hits. */
  mode: 'hybrid' | 'text';
  hits: SearchHit[];
}

/** Embeds the query (a failure only degrades the search to full text) and runs hybrid search as the caller. */
export async function searchDocuments(
  ctx: { pool: pg.Pool; provider: ProviderClient; defects: ReadonlySet<string> },
  caller: Caller,
  query: string,
  limit: number,
): Promise<SearchOutcome> {
  const embedded = await ctx.provider.embed([query], { user: caller.orgId });
  const vector = embedded.ok ? embedded.value[0]! : null;
  const options = { orgId: caller.orgId, query, vector, provider: ctx.provider.name, limit };
  if (!vector && ctx.defects.has('search-fallback-cross-tenant')) {
    // DEFECT search-fallback-cross-tenant: without a query vector only full text is needed, so the fallback borrows the indexer's text query, which runs as the service and has no org filter
    return { mode: 'text', hits: await asService(ctx.pool, (db) => unscopedTextSearch(db, { query, limit })) };
  }
  const index = vectorIndexFor(ctx.pool);
  const hits = ctx.defects.has('search-cross-tenant')
    ? // DEFECT search-cross-tenant: search goes through the service client (no RLS) because "the embeddings index is shared"
      await asService(ctx.pool, (db) => hybridSearch(db, index, ctx.defects, options))
    : await asCaller(ctx.pool, caller, (db) => hybridSearch(db, index, ctx.defects, options));
  return { mode: vector ? 'hybrid' : 'text', hits };
}
