import type { JsonSchema } from '../json-schema/schema.ts';
import { METHODS, type HttpMethod } from '../profile/fields.ts';
import { derefSchema, follow } from './refs.ts';
import { OPENAPI_METHODS, type OpenApiDocument } from './validate.ts';

/** Whether an operation needs credentials: not at all (`security: []`), optionally (`{}` among its requirements), or always. */
export type ApiAuth = 'none' | 'optional' | 'required';

export interface ApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

/** One operation of the document, with every `$ref` resolved: serialisable, so it crosses into workers. */
export interface ApiOperation {
  method: HttpMethod;
  /** The path template as the system serves it: the server URL's path, then the document's path. */
  path: string;
  operationId?: string;
  /** Its summary, else the first line of its description. */
  summary?: string;
  auth: ApiAuth;
  /** The security schemes that apply (by name). */
  schemes: string[];
  parameters: ApiParameter[];
  requestBody?: { required: boolean; contentType: string; schema: JsonSchema };
  /** Documented answers by status (`200`, `4XX`, `default`), with their description and the JSON schema where there is one. */
  responses: { status: string; description?: string; schema?: JsonSchema; headers?: string[] }[];
}

/** A security scheme as the document declares it. */
export type SecuritySchemeInfo =
  | { type: 'http'; scheme: string; bearerFormat?: string; description?: string }
  | { type: 'apiKey'; name: string; in: 'header' | 'query' | 'cookie'; description?: string }
  | { type: 'oauth2' | 'openIdConnect' | 'mutualTLS'; description?: string };

/** What shipgate knows of an API from its OpenAPI document. */
export interface ApiDescription {
  /** The file or URL it came from. */
  source: string;
  title: string;
  version: string;
  /** The first server's URL when it is absolute (`https://api.example.com/v1`). */
  serverUrl?: string;
  /** The first server's path (`/v1`), prefixed to every path; empty when there is none. */
  basePath: string;
  securitySchemes: Record<string, SecuritySchemeInfo>;
  operations: ApiOperation[];
  /** Operations whose method shipgate never sends (HEAD, OPTIONS, TRACE), as `METHOD /path`. */
  skipped: string[];
}

const JSON_TYPE = /^application\/(.+\+)?json\b/i;

/** Whether a media type is JSON (`application/json`, `application/problem+json`, with parameters). */
export const isJsonMediaType = (type: string): boolean => JSON_TYPE.test(type);

function serverOf(doc: OpenApiDocument): { serverUrl?: string; basePath: string } {
  const url = doc.servers?.[0]?.url;
  if (!url) return { basePath: '' };
  // Server variables ({region}) take their defaults.
  const vars = (doc.servers?.[0]?.variables ?? {}) as Record<string, { default?: string }>;
  const filled = url.replace(/\{(\w+)\}/g, (_, name: string) => vars[name]?.default ?? name);
  if (/^https?:\/\//i.test(filled)) {
    const u = new URL(filled);
    return { serverUrl: filled.replace(/\/$/, ''), basePath: u.pathname.replace(/\/$/, '') };
  }
  return { basePath: filled.startsWith('/') ? filled.replace(/\/$/, '') : '' };
}

function authOf(reqs: Record<string, string[]>[] | undefined): { auth: ApiAuth; schemes: string[] } {
  if (!reqs || reqs.length === 0) return { auth: 'none', schemes: [] };
  const schemes = [...new Set(reqs.flatMap((r) => Object.keys(r)))];
  return { auth: reqs.some((r) => Object.keys(r).length === 0) ? 'optional' : 'required', schemes };
}

function firstLine(text: unknown): string | undefined {
  return typeof text === 'string' && text.trim() ? text.trim().split('\n')[0] : undefined;
}

/** The operations of a validated document, flattened and resolved. */
export function describeApi(doc: OpenApiDocument, source: string): ApiDescription {
  const { serverUrl, basePath } = serverOf(doc);
  const operations: ApiOperation[] = [];
  const skipped: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of OPENAPI_METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const upper = method.toUpperCase();
      if (!(METHODS as readonly string[]).includes(upper)) {
        skipped.push(`${upper} ${basePath}${path}`);
        continue;
      }
      const byName = new Map<string, ApiParameter>();
      for (const p of [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])]) {
        const param = follow(doc, p);
        if (!param) continue;
        const schema = param.schema !== undefined ? derefSchema(doc, param.schema) : derefSchema(doc, Object.values((param.content as Record<string, { schema?: unknown }>) ?? {})[0]?.schema);
        byName.set(`${String(param.in)} ${String(param.name)}`, { name: String(param.name), in: param.in as ApiParameter['in'], required: param.required === true || param.in === 'path', schema });
      }
      const body = follow(doc, op.requestBody);
      const content = Object.entries((body?.content as Record<string, { schema?: unknown }>) ?? {});
      const chosen = content.find(([type]) => JSON_TYPE.test(type)) ?? content[0];
      const responses = Object.entries((op.responses as Record<string, unknown>) ?? {}).map(([status, r]) => {
        const res = follow(doc, r);
        const json = Object.entries((res?.content as Record<string, { schema?: unknown }>) ?? {}).find(([type]) => JSON_TYPE.test(type));
        return {
          status,
          ...(typeof res?.description === 'string' && res.description ? { description: res.description } : {}),
          ...(res?.headers && typeof res.headers === 'object' ? { headers: Object.keys(res.headers) } : {}),
          ...(json?.[1]?.schema !== undefined ? { schema: derefSchema(doc, json[1].schema) } : {}),
        };
      });
      operations.push({
        method: upper as HttpMethod,
        path: `${basePath}${path}`,
        ...(typeof op.operationId === 'string' ? { operationId: op.operationId } : {}),
        ...((firstLine(op.summary) ?? firstLine(op.description)) ? { summary: firstLine(op.summary) ?? firstLine(op.description) } : {}),
        ...authOf((op.security as Record<string, string[]>[] | undefined) ?? doc.security),
        parameters: [...byName.values()],
        ...(chosen ? { requestBody: { required: body?.required === true, contentType: chosen[0], schema: derefSchema(doc, chosen[1].schema) } } : {}),
        responses,
      });
    }
  }
  const securitySchemes = Object.fromEntries(
    Object.entries(doc.components?.securitySchemes ?? {}).map(([name, s]) => [name, follow(doc, s) as unknown as SecuritySchemeInfo]),
  );
  return { source, title: doc.info.title, version: doc.info.version, ...(serverUrl ? { serverUrl } : {}), basePath, securitySchemes, operations, skipped };
}

/** The JSON schema of an operation's first documented 2xx answer. */
export function successSchema(op: ApiOperation): { status: string; schema?: JsonSchema } | undefined {
  return op.responses.find((r) => /^2/.test(r.status) && r.schema) ?? op.responses.find((r) => /^2/.test(r.status));
}
