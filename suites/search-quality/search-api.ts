import { fail, fillPath, parseRoute, type AddedDocument, type HttpResult, type IndexedDocument, type SearchProfile, type Tenant } from 'shipgate';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const ok = (r: HttpResult) => r.status >= 200 && r.status < 300;

function precondition(title: string, promise: string, r: HttpResult): never {
  return fail({ code: 'CHECK_PRECONDITION', title, promise, severity: 'high', evidence: [{ label: 'exchange', exchange: r.exchange }] });
}

/** One search: the hit ids best first, whether it says it ran degraded, and the exchange. */
export interface SearchResult {
  ids: string[];
  degraded: boolean;
  res: HttpResult;
}

/** Adds documents and queries the way the profile's search block says. */
export class SearchApi {
  constructor(private readonly spec: SearchProfile) {}

  async index(tenant: Tenant, doc: IndexedDocument, instance: number): Promise<string> {
    const route = parseRoute(this.spec.index.route);
    const res = await tenant.client.send({ method: route.method, path: route.path, body: this.spec.index.body(doc), instance, label: `${tenant.label} adds golden document ${doc.docno}` });
    const id = ok(res) ? (this.spec.index.id ? this.spec.index.id(res.json) : isObject(res.json) ? res.json.id : undefined) : undefined;
    if (typeof id !== 'string' && typeof id !== 'number') {
      precondition(`could not add golden document ${doc.docno} as ${tenant.label} (answered ${res.error ?? res.status})`, "the profile's search.index route adds a document and answers its id", res);
    }
    return String(id);
  }

  /** Runs the refresh calls once; one that fails or answers a fallback means the documents are not all searchable. */
  async refresh(tenant: Tenant, instance: number): Promise<HttpResult[]> {
    const fellBack = this.spec.refreshFallback ?? ((body: unknown) => isObject(body) && body.fallback === true);
    const answers: HttpResult[] = [];
    for (const text of this.spec.refresh.calls) {
      const route = parseRoute(text);
      const res = await tenant.client.send({ method: route.method, path: route.path, instance, label: `${tenant.label} makes its documents searchable` });
      if (!ok(res)) precondition(`${text} answered ${res.error ?? res.status} for ${tenant.label}, so its documents may not be searchable`, "the profile's search.refresh calls succeed", res);
      if (fellBack(res.json)) {
        precondition(
          `${text} answered a fallback for ${tenant.label} (search.refreshFallback): its documents were not all made searchable (a provider that failed or did not answer within the system's timeout), so search quality cannot be measured`,
          "the profile's search.refresh calls do their work (a loaded machine may need a longer provider timeout)",
          res,
        );
      }
      answers.push(res);
    }
    return answers;
  }

  /** The tenant's count of searchable documents (`complete.count`). */
  async searchableCount(tenant: Tenant, instance: number): Promise<{ count: number; res: HttpResult }> {
    const spec = this.spec.complete && 'count' in this.spec.complete ? this.spec.complete.count : undefined;
    if (!spec) throw new Error('search.complete.count is not declared');
    const route = parseRoute(spec.route);
    const res = await tenant.client.send({ method: route.method, path: route.path, instance, label: `${tenant.label} counts its searchable documents` });
    if (!ok(res)) precondition(`${spec.route} answered ${res.error ?? res.status} for ${tenant.label}`, "the profile's search.complete.count route answers the number of searchable documents", res);
    let count: unknown;
    try {
      count = spec.searchable(res.json);
    } catch (err) {
      precondition(`search.complete.count.searchable threw on the answer of ${spec.route}: ${(err as Error).message}`, 'search.complete.count.searchable reads a number from the answer', res);
    }
    if (typeof count !== 'number' || !Number.isFinite(count)) {
      precondition(`search.complete.count.searchable gave ${JSON.stringify(count)} for the answer of ${spec.route}, not a number`, 'search.complete.count.searchable reads a number from the answer', res);
    }
    return { count, res };
  }

  /** Whether one added document is searchable, by `complete.lookup` or `complete.search`. */
  async isSearchable(tenant: Tenant, doc: AddedDocument, instance: number): Promise<{ found: boolean; res: HttpResult }> {
    const complete = this.spec.complete;
    if (complete && 'lookup' in complete) {
      const route = parseRoute(complete.lookup.route);
      const path = fillPath(route.path, { id: doc.id, docno: doc.docno, title: doc.title, marker: doc.marker });
      const res = await tenant.client.send({ method: route.method, path, instance, label: `${tenant.label} looks up golden document ${doc.docno}` });
      if (res.status === 0 || res.status >= 500) precondition(`${complete.lookup.route} answered ${res.error ?? res.status} for ${doc.docno}`, "the profile's search.complete.lookup route answers", res);
      const found = complete.lookup.found ? complete.lookup.found(res.json, doc, res.status) === true : ok(res);
      return { found, res };
    }
    if (complete && 'search' in complete) {
      const text = complete.search.query ? complete.search.query(doc) : doc.marker;
      const r = await this.query(tenant, text, this.spec.depth, instance, `${tenant.label} searches for golden document ${doc.docno} ("${text}")`);
      return { found: r.ids.includes(doc.id), res: r.res };
    }
    throw new Error('search.complete.lookup or search.complete.search is not declared');
  }

  /** The hits of one search, best first. */
  async query(tenant: Tenant, query: string, limit: number, instance: number, label: string): Promise<SearchResult> {
    const route = parseRoute(this.spec.query.route);
    const body = this.spec.query.body?.(query, limit);
    const res = await tenant.client.send({
      method: route.method,
      path: fillPath(route.path, { query, limit: String(limit) }),
      ...(body !== undefined ? { body } : {}),
      instance,
      label,
    });
    if ((res.status === 400 || res.status === 422) && limit > 1) {
      precondition(
        `the search for "${query}" answered ${res.status} for ${tenant.label} when asked for ${limit} hits (search.depth): if the route caps how many hits it returns, set search.depth to at most that`,
        "the profile's search.query route answers 2xx for search.depth hits",
        res,
      );
    }
    if (!ok(res)) precondition(`the search for "${query}" answered ${res.error ?? res.status} for ${tenant.label}`, "the profile's search.query route answers 2xx", res);
    const items = this.spec.query.items ? this.spec.query.items(res.json) : isObject(res.json) ? res.json.items : undefined;
    if (!Array.isArray(items)) precondition(`the search for "${query}" has no list of hits (search.query.items)`, 'the search answer holds a list of hits', res);
    const idOf = this.spec.query.id ?? ((hit: unknown) => (isObject(hit) ? (hit.document_id ?? hit.id) : undefined) as string);
    const degraded = this.spec.degraded ?? ((b: unknown) => isObject(b) && (b.degraded === true || b.fallback === true));
    return { ids: items.map((hit) => String(idOf(hit))), degraded: degraded(res.json), res };
  }

  /** A search that must not have run degraded: quality measured on a fallback is no measure of the search. */
  async normalQuery(tenant: Tenant, query: string, limit: number, instance: number, label: string): Promise<SearchResult> {
    const r = await this.query(tenant, query, limit, instance, label);
    if (r.degraded) {
      precondition(
        `the search for "${query}" by ${tenant.label} says it ran degraded (search.degraded): a provider that failed or did not answer within the system's timeout, so its ranking is the fallback's, not the search's`,
        'golden queries run the full search (a loaded machine may need a longer provider timeout)',
        r.res,
      );
    }
    return r;
  }
}
