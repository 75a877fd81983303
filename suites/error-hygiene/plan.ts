import {
  derivedSeed,
  fillRoute,
  generatedBodies,
  generatedIds,
  isJsonMediaType,
  malformedBodies,
  malformedIds,
  schemaBodyCases,
  schemaParameterCases,
  routeParameters,
  showId,
  textsOf,
  type ApiParameter,
  type MalformedBody,
  type ResourceItem,
  type Sample,
} from 'shipgate';
import { takesBody, type Probe } from './routes.ts';

/** How many generated ids and bodies each route gets besides the fixed classes. */
const GENERATED = { ids: 8, bodies: 6 };
const OVERSIZED_HEADER = 'x'.repeat(20_000);

/** One request to send: what it malformed, and what it carries. */
export interface Planned {
  family: 'id' | 'body' | 'query' | 'header';
  words: string;
  path: string;
  /** A body as the malformed-body classes describe it (raw text, JSON, a content type or none). */
  body?: MalformedBody;
  /** The call's own valid body (JSON, or bytes such as a multipart form) with its headers. */
  valid?: ValidRequest;
  headers?: Record<string, string>;
  echoes: string[];
}

export interface ValidRequest {
  json?: unknown;
  raw?: Buffer | string;
  headers: Record<string, string>;
}

/** What a probe's requests are built from: its path parameters and the valid call. */
export interface Base {
  params: { name: string; parameter?: ApiParameter; value: string }[];
  path(over?: Record<string, string>, query?: Record<string, string>): string;
  /** The valid request of a call that takes a body. */
  valid?: ValidRequest;
  /** A well-formed id of the system, which the wrong-type ids are shaped against. */
  example: string;
}

/** The valid call a probe's malformed requests start from: the fixture's items for a resource call, the inventory's values for a route beyond. */
export function baseOf(probe: Probe, items: ReadonlyMap<string, ResourceItem>, sample: Sample): Base {
  if (probe.known) {
    const k = probe.known;
    const req = takesBody(probe.route) ? k.request(sample) : undefined;
    const isBytes = req && (typeof req.body === 'string' || Buffer.isBuffer(req.body));
    const valid: ValidRequest | undefined = req
      ? isBytes
        ? { raw: req.body as Buffer | string, headers: req.headers ?? {} }
        : { json: req.body ?? {}, headers: req.headers ?? {} }
      : undefined;
    return { params: k.params, path: k.fill, ...(valid ? { valid } : {}), example: k.params.find((p) => /id$/i.test(p.name))?.value ?? '00000000-0000-4000-8000-000000000000' };
  }
  const api = probe.api!;
  const item = items.get(api.name);
  const example = api.missingId();
  const realIds: Record<string, string> = {
    ...(item ? { id: item.id } : {}),
    ...(item?.parentId !== undefined ? { parent: item.parentId } : {}),
  };
  // A remove with a real id would delete the fixture if the system ignored a malformed parent.
  if (probe.op === 'remove') realIds.id = example;
  const params = routeParameters(probe.route, probe.operation).map((p) => ({ ...p, value: realIds[p.name] ?? example }));
  const values = Object.fromEntries(params.map((p) => [p.name, p.value]));
  const json = takesBody(probe.route) ? api.bodyFor(probe.op!, sample, [item?.id ?? example]) : undefined;
  return {
    params,
    path: (over = {}, query = {}) => fillRoute(probe.route.path, { ...values, ...over }, query),
    ...(takesBody(probe.route) ? { valid: { json: json ?? {}, headers: {} } } : {}),
    example,
  };
}

/** What a plan is made with: the sample for the profile's factories, the run's `--runs`, the probe's seed. */
export interface PlanInput {
  sample: Sample;
  runs: number;
  seed: number;
}

/** Every malformed request of a probe, in order: path ids, bulk ids, bodies, query parameters, headers. */
export function planOf(probe: Probe, base: Base, { sample, runs, seed }: PlanInput): { planned: Planned[]; schema?: { sites: number; swept: number } } {
  const planned: Planned[] = [];
  const withValid = (p: Omit<Planned, 'valid'>): Planned => ({ ...p, ...(base.valid ? { valid: base.valid } : {}) });

  // Path ids: every parameter in turn, the others real; the fixed classes, generated ones, and values outside its schema.
  const sentFor = new Map<string, Set<string>>();
  const fresh = (param: string, value: string) => {
    const seen = sentFor.get(param) ?? new Set<string>();
    sentFor.set(param, seen);
    return !seen.has(value) && Boolean(seen.add(value));
  };
  for (const param of base.params) {
    const ids = [...malformedIds(param.parameter ? param.value : base.example), ...generatedIds(derivedSeed(seed, `{${param.name}}`), GENERATED.ids)];
    for (const id of ids.filter((x) => fresh(`{${param.name}}`, x.value))) {
      planned.push(withValid({ family: 'id', words: `{${param.name}} ${id.kind} ${showId(id.value)}`, path: base.path({ [param.name]: id.value }), echoes: [id.value] }));
    }
  }
  // The document's parameters: values outside each one's schema (a value the fixed classes already sent is not sent twice).
  const schemaParams = schemaParameterCases(probe.operation?.parameters ?? [], seed);
  for (const sc of schemaParams) {
    const placeholder = sc.family === 'id' ? (base.params.find((p) => p.parameter?.name === sc.param!.name)?.name ?? sc.param!.name) : undefined;
    if (placeholder !== undefined && !base.params.some((p) => p.name === placeholder)) continue;
    if (!fresh(placeholder !== undefined ? `{${placeholder}}` : `?${sc.param!.name}`, sc.param!.value)) continue;
    const path = placeholder !== undefined ? base.path({ [placeholder]: sc.param!.value }) : base.path({}, { [sc.param!.name]: sc.param!.value });
    planned.push(withValid({ family: sc.family, words: sc.words, path, echoes: [sc.param!.value] }));
  }
  // Ids inside a bulk body.
  if (probe.op?.startsWith('bulk:') && probe.api) {
    for (const id of [...malformedIds(base.example), ...generatedIds(seed + 1, GENERATED.ids)]) {
      planned.push({ family: 'id', words: `a bulk id list holding ${id.kind} ${showId(id.value)}`, path: base.path(), body: { kind: 'bulk id', words: '', json: probe.api.bodyFor(probe.op, sample, [id.value]) }, echoes: [id.value] });
    }
  }
  // Bodies: the call's valid body broken every way, and bodies generated from the document's schema.
  let schema: { sites: number; swept: number } | undefined;
  if (takesBody(probe.route)) {
    const validJson = base.valid?.json ?? {};
    for (const body of [...malformedBodies(validJson), ...generatedBodies(validJson, seed, GENERATED.bodies)]) {
      planned.push({ family: 'body', words: body.words, path: base.path(), body, echoes: textsOf(body) });
    }
    const requestBody = probe.operation?.requestBody;
    if (requestBody && isJsonMediaType(requestBody.contentType)) {
      const generated = schemaBodyCases(requestBody.schema, { seed: derivedSeed(seed, 'schema body'), runs });
      schema = { sites: generated.sites, swept: generated.swept };
      for (const sc of generated.cases) {
        const body: MalformedBody = { kind: sc.kind, words: sc.words, json: sc.body };
        planned.push({ family: 'body', words: `${sc.words} (from the OpenAPI schema)`, path: base.path(), body, echoes: textsOf(body) });
      }
    }
  }
  // List paging with sizes no client should send.
  if (probe.op === 'list' && probe.api?.pageable) {
    const api = probe.api;
    for (const size of [-1, 0, 1e12, Number.NaN, 2.5]) {
      // The profile's hook was written for sensible sizes: one it cannot render is not the system's fault.
      let query: string | undefined;
      try {
        query = api.pageSizeQuery(size);
      } catch {
        continue;
      }
      if (query === undefined) continue;
      const path = base.path();
      planned.push({ family: 'query', words: `a page size of ${size} (${query})`, path: `${path}${path.includes('?') ? '&' : '?'}${query}`, echoes: [query, String(size)] });
    }
  }
  // Headers: oversized, and an Accept the system cannot serve.
  planned.push(withValid({ family: 'header', words: 'a 20 000-character header', path: base.path(), headers: { 'x-shipgate-padding': OVERSIZED_HEADER }, echoes: [OVERSIZED_HEADER] }));
  planned.push(withValid({ family: 'header', words: 'Accept: application/xml only', path: base.path(), headers: { accept: 'application/xml' }, echoes: [] }));
  return { planned, ...(schema ? { schema } : {}) };
}

