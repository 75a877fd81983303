import { z } from 'zod';
import { API_CONTRACTS, PROVIDER_CONTRACTS } from './index.ts';

type ContractName = keyof typeof API_CONTRACTS;
const ref = (name: ContractName) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: ContractName, description: string) => ({ description, content: { 'application/json': { schema: ref(name) } } });

const errors = {
  '400': json('error.v1', 'The request does not match its contract (every issue listed).'),
  '401': json('error.v1', 'Missing or invalid bearer token.'),
};
const provider = { name: 'provider', in: 'path', required: true, schema: { type: 'string', examples: ['openai'] } };

/** The paths of the provider-backed endpoints and search, each answer a named contract. */
const paths = {
  '/v1/capture/thought': {
    post: {
      operationId: 'captureThought',
      summary: 'Store a thought with the tasks, notes and entities the provider extracts (extract_structured_updates).',
      requestBody: { required: true, content: { 'application/json': { schema: ref('capture.request.v1') } } },
      responses: { '200': json('capture.v1', 'Stored, or a fallback that stored nothing.'), ...errors },
    },
  },
  '/v1/captures': {
    get: { operationId: 'listCaptures', summary: "The caller's captures, newest first.", responses: { '200': json('captures.v1', 'Captures.'), ...errors } },
  },
  '/v1/query/ask': {
    post: {
      operationId: 'askQuestion',
      summary: "Answer a question from the caller's documents (hybrid search, then answer_query).",
      requestBody: { required: true, content: { 'application/json': { schema: ref('query.request.v1') } } },
      responses: { '200': json('query.v1', 'An answer, or a fallback answer built from the search hits.'), ...errors },
    },
  },
  '/v1/plan/refresh': {
    post: {
      operationId: 'refreshPlan',
      summary: "Rewrite the day's plan from the open tasks and a focus (rewrite_plan).",
      requestBody: { required: false, content: { 'application/json': { schema: ref('plan.refresh.request.v1') } } },
      responses: { '200': json('plan.v1', 'The new plan, or a fallback with the stored plan unchanged.'), ...errors },
    },
  },
  '/v1/plan/today': {
    get: { operationId: 'getTodayPlan', summary: "Today's stored plan (empty when none).", responses: { '200': json('plan.v1', 'The plan.'), ...errors } },
  },
  '/v1/plan/{date}': {
    get: {
      operationId: 'getPlan',
      summary: 'The stored plan of one day (empty when none): what a refresh for that date wrote, whatever day it is now.',
      parameters: [{ name: 'date', in: 'path', required: true, schema: { type: 'string', format: 'date', examples: ['2030-01-15'] } }],
      responses: { '200': json('plan.v1', 'The plan.'), ...errors },
    },
  },
  '/v1/sync/{provider}': {
    post: {
      operationId: 'syncProvider',
      summary: "Embed the caller's documents that have no current embedding at the provider.",
      parameters: [provider],
      responses: { '200': json('sync.v1', 'What was embedded, or a fallback that embedded nothing.'), '404': json('error.v1', 'Unknown provider.'), ...errors },
    },
  },
  '/v1/sync/{provider}/status': {
    get: {
      operationId: 'syncStatus',
      summary: 'How many documents are embedded and pending at the provider.',
      parameters: [provider],
      responses: { '200': json('sync.status.v1', 'The status.'), '404': json('error.v1', 'Unknown provider.'), ...errors },
    },
  },
  '/v1/search': {
    get: {
      operationId: 'search',
      summary: "Hybrid search (full text + embeddings, reciprocal-rank fusion) over the caller's documents.",
      parameters: [
        { name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 2000 } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 50, default: 10 } },
      ],
      responses: { '200': json('search.v1', 'Ranked hits.'), ...errors },
    },
  },
};

function schemaOf(name: string, schema: z.ZodType): Record<string, unknown> {
  // Requests are described as clients send them (defaults optional), answers as they arrive.
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: name.includes('request') ? 'input' : 'output' }) as Record<string, unknown>;
  return { title: name, ...rest };
}

/** The OpenAPI 3.1 document of the reference API's provider-backed endpoints, made from the zod contracts. */
export function buildOpenApi(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'shipgate reference API: provider-backed endpoints',
      version,
      description:
        'Generated from contracts/ by `npm run contracts:openapi`; do not edit. Provider contracts (what the OpenAI-compatible provider must return) are under x-provider-contracts.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: Object.fromEntries(Object.entries(API_CONTRACTS).map(([name, s]) => [name, schemaOf(name, s)])),
    },
    'x-provider-contracts': Object.fromEntries(Object.entries(PROVIDER_CONTRACTS).map(([name, s]) => [name, schemaOf(name, s)])),
  };
}

/** The document as committed: stable key order, two-space indent, final newline. */
export function renderOpenApi(version: string): string {
  return `${JSON.stringify(buildOpenApi(version), null, 2)}\n`;
}
