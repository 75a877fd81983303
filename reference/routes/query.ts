import type { FastifyInstance } from 'fastify';
import { queryRequestV1, type QueryV1 } from '../../contracts/api/query.ts';
import { answerQueryV1 } from '../../contracts/provider/answer-query.ts';
import type { AppContext } from '../context.ts';
import { asCaller } from '../db/transactions.ts';
import { parseInput } from '../http/validation.ts';
import { prompts } from '../provider/prompts.ts';
import type { SearchHit } from '../search/hybrid.ts';
import { searchDocuments } from '../search/search-documents.ts';

/** A fallback still answers: from the search hits themselves, never an empty answer. */
function answerFromHits(hits: SearchHit[]): string {
  return `The assistant is unavailable right now. The most relevant documents are: ${hits
    .slice(0, 3)
    .map((h) => `"${h.title}"`)
    .join(', ')}.`;
}

export function registerQueryRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { pool, auth, provider } = ctx;
  app.post('/v1/query/ask', async (request): Promise<QueryV1> => {
    const caller = await auth.caller(request);
    const { question, limit } = parseInput(queryRequestV1, request.body, 'question');
    const { mode, hits } = await searchDocuments(ctx, caller, question, limit);
    if (hits.length === 0) {
      return { answer: 'Nothing in your documents matches this question.', citations: [], sources: [], mode, fallback: false, fallback_reason: null };
    }
    const documents = await asCaller(pool, caller, async (db) => {
      const { rows } = await db.query<{ id: string; title: string; body: string }>(
        'SELECT id, title, body FROM public.documents WHERE org_id = $1 AND id = ANY($2::uuid[])',
        [caller.orgId, hits.map((h) => h.document_id)],
      );
      return hits.flatMap((h) => rows.filter((r) => r.id === h.document_id));
    });
    const answered = await provider.chatJson('answer_query', answerQueryV1, prompts.answerQuery(question, documents), { user: caller.orgId });
    if (!answered.ok) {
      return { answer: answerFromHits(hits), citations: [], sources: hits, mode, fallback: true, fallback_reason: answered.reason };
    }
    // Only documents the provider was given can be cited; anything else it names is dropped.
    const cited = [...new Set(answered.value.citations)].flatMap((id) => hits.filter((h) => h.document_id === id).map((h) => ({ document_id: h.document_id, title: h.title })));
    return { answer: answered.value.answer, citations: cited, sources: hits, mode, fallback: false, fallback_reason: null };
  });
}
