import type { FastifyInstance } from 'fastify';
import { searchRequestV1, type SearchV1 } from '../../contracts/api/search.ts';
import type { AppContext } from '../context.ts';
import { parseInput } from '../http/validation.ts';
import { searchDocuments } from '../search/search-documents.ts';

export function registerSearchRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/v1/search', async (request): Promise<SearchV1> => {
    const caller = await ctx.auth.caller(request);
    const { q, limit } = parseInput(searchRequestV1, request.query, 'search query');
    const { mode, hits } = await searchDocuments(ctx, caller, q, limit);
    return { query: q, mode, items: hits };
  });
}
