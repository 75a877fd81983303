import { templateParams } from '../http/route.ts';
import { z } from 'zod';
import { OpenApiError, type OpenApiProblem } from './read.ts';
import { follow, refsIn, resolvePointer } from './refs.ts';

/** The HTTP methods an OpenAPI path item may hold. */
export const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const ref = z.looseObject({ $ref: z.string() });
const schemaLike = z.union([z.looseObject({}), z.boolean()], { error: 'expected a schema object' });

const parameter = z.union([
  ref,
  z.looseObject({
    name: z.string().min(1),
    in: z.enum(['path', 'query', 'header', 'cookie'], { error: "expected 'path', 'query', 'header' or 'cookie'" }),
    required: z.boolean().optional(),
    schema: schemaLike.optional(),
    content: z.record(z.string(), z.looseObject({})).optional(),
  }),
]);
const mediaTypes = z.record(z.string(), z.looseObject({ schema: schemaLike.optional() }));
const requestBody = z.union([ref, z.looseObject({ content: mediaTypes, required: z.boolean().optional() })]);
const response = z.union([ref, z.looseObject({ description: z.string().optional(), content: mediaTypes.optional() })]);
const securityRequirement = z.record(z.string(), z.array(z.string()));

const operation = z.looseObject({
  operationId: z.string().optional(),
  summary: z.string().optional(),
  description: z.string().optional(),
  parameters: z.array(parameter).optional(),
  requestBody: requestBody.optional(),
  responses: z.record(z.string().regex(/^([1-5](\d\d|XX)|default)$/, 'expected a status code such as 200 or 4XX, or default'), response).optional(),
  security: z.array(securityRequirement).optional(),
});

const pathItem = z.looseObject({
  parameters: z.array(parameter).optional(),
  ...Object.fromEntries(OPENAPI_METHODS.map((m) => [m, operation.optional()])),
});

const securityScheme = z.union([
  ref,
  z.discriminatedUnion(
    'type',
    [
      z.looseObject({ type: z.literal('http'), scheme: z.string().min(1), bearerFormat: z.string().optional() }),
      z.looseObject({ type: z.literal('apiKey'), name: z.string().min(1), in: z.enum(['header', 'query', 'cookie']) }),
      z.looseObject({ type: z.literal('oauth2') }),
      z.looseObject({ type: z.literal('openIdConnect') }),
      z.looseObject({ type: z.literal('mutualTLS') }),
    ],
    { error: "expected type 'http', 'apiKey', 'oauth2', 'openIdConnect' or 'mutualTLS'" },
  ),
]);

const documentSchema = z.looseObject({
  openapi: z.string().regex(/^3\.[0-9]+\.[0-9]+/, 'expected an OpenAPI 3.x version such as 3.0.3 or 3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  servers: z.array(z.looseObject({ url: z.string() })).optional(),
  paths: z.record(z.string(), pathItem),
  components: z
    .looseObject({
      schemas: z.record(z.string(), schemaLike).optional(),
      securitySchemes: z.record(z.string(), securityScheme).optional(),
    })
    .optional(),
  security: z.array(securityRequirement).optional(),
});

export type OpenApiDocument = z.output<typeof documentSchema>;

const dotted = (path: readonly PropertyKey[]) => path.map(String).join('.');

/**
 * Checks that a parsed value is an OpenAPI 3.x document shipgate can read, and names every
 * problem by its place: the structure, local `$ref`s that lead nowhere, path parameters missing
 * from a path or its parameters, security requirements naming no scheme.
 */
export function validateOpenApi(raw: unknown, source: string): OpenApiDocument {
  const o = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  if (o && typeof o.swagger === 'string') {
    throw new OpenApiError(source, [{ path: 'swagger', message: `this is a Swagger ${o.swagger} document; shipgate reads OpenAPI 3.x (convert it, e.g. with \`npx swagger2openapi\`)` }]);
  }
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    throw new OpenApiError(source, parsed.error.issues.map((i) => ({ path: dotted(i.path), message: i.message })));
  }
  const doc = parsed.data;
  const badPaths = Object.keys(doc.paths).filter((p) => !p.startsWith('/')).map((p) => ({ path: `paths.${p}`, message: `a path starts with / (got '${p}')` }));
  const problems: OpenApiProblem[] = [...badPaths, ...refProblems(doc), ...pathParameterProblems(doc), ...securityProblems(doc)];
  if (problems.length > 0) throw new OpenApiError(source, problems);
  return doc;
}

function refProblems(doc: OpenApiDocument): OpenApiProblem[] {
  return refsIn(doc).flatMap(({ ref: r, path }) => {
    if (!r.startsWith('#')) return [{ path: dotted(path), message: `external $ref '${r}' is not supported: bundle the document into one file first (e.g. \`npx @redocly/cli bundle\`)` }];
    return resolvePointer(doc, r) === undefined ? [{ path: dotted(path), message: `$ref '${r}' names nothing in this document` }] : [];
  });
}

function pathParameterProblems(doc: OpenApiDocument): OpenApiProblem[] {
  const problems: OpenApiProblem[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const inTemplate = templateParams(path);
    const shared = (item.parameters ?? []).map((p) => follow(doc, p)).filter((p) => p?.in === 'path');
    for (const method of OPENAPI_METHODS) {
      const op = item[method] as z.output<typeof operation> | undefined;
      if (!op) continue;
      const own = (op.parameters ?? []).map((p) => follow(doc, p)).filter((p) => p?.in === 'path');
      const declared = new Set([...shared, ...own].map((p) => String(p?.name)));
      for (const name of inTemplate.filter((n) => !declared.has(n))) {
        problems.push({ path: `paths.${path}.${method}.parameters`, message: `{${name}} is in the path but no path parameter '${name}' is declared` });
      }
      for (const name of [...declared].filter((n) => !inTemplate.includes(n))) {
        problems.push({ path: `paths.${path}.${method}.parameters`, message: `path parameter '${name}' is declared but the path has no {${name}}` });
      }
    }
  }
  return problems;
}

function securityProblems(doc: OpenApiDocument): OpenApiProblem[] {
  const schemes = new Set(Object.keys(doc.components?.securitySchemes ?? {}));
  const check = (reqs: Record<string, string[]>[] | undefined, at: string) =>
    (reqs ?? []).flatMap((req, i) =>
      Object.keys(req)
        .filter((name) => !schemes.has(name))
        .map((name) => ({ path: `${at}.${i}`, message: `security scheme '${name}' is not in components.securitySchemes${schemes.size > 0 ? ` (known: ${[...schemes].join(', ')})` : ''}` })),
    );
  const problems = check(doc.security, 'security');
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of OPENAPI_METHODS) {
      const op = item[method] as z.output<typeof operation> | undefined;
      if (op) problems.push(...check(op.security, `paths.${path}.${method}.security`));
    }
  }
  return problems;
}
