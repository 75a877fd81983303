import { setTimeout as pause } from 'node:timers/promises';
import type { AddedDocument, Evidence, HttpResult, SearchProfile, Tenant } from 'shipgate';
import { mapBounded } from './bounded.ts';
import type { SearchApi } from './search-api.ts';

/** What refresh achieved for one tenant, as its completeness probe saw it. */
export interface Completeness {
  tenant: Tenant;
  documents: number;
  /** Documents the probe saw searchable; undefined when the profile declares no `complete`. */
  searchable: number | undefined;
  /** The documents the probe did not see searchable (empty for a count, which cannot say which). */
  missing: AddedDocument[];
  /** Rounds of refresh calls made. */
  rounds: number;
  ms: number;
  /** How the probe looked: `count`, `lookup` or `search`. */
  how: 'count' | 'lookup' | 'search' | undefined;
  /** The last refresh answers and probe answers, for evidence. */
  evidence: Evidence[];
}

export const isComplete = (c: Completeness) => c.searchable === undefined || c.searchable >= c.documents;

/** The probe's view of one tenant's index. */
interface Probe {
  searchable(): Promise<number>;
  missing(): AddedDocument[];
  evidence(): Evidence[];
}

function countProbe(api: SearchApi, tenant: Tenant, docs: AddedDocument[], before: number, instance: number): Probe {
  let last: HttpResult | undefined;
  return {
    async searchable() {
      const { count, res } = await api.searchableCount(tenant, instance);
      last = res;
      return Math.min(docs.length, count - before);
    },
    missing: () => [],
    evidence: () => (last ? [{ label: `${tenant.label}'s count of searchable documents (search.complete.count; ${before} before the golden documents were added)`, exchange: last.exchange }] : []),
  };
}

/** Looks up or searches each document not yet seen searchable: a document once found stays found. */
function perDocumentProbe(api: SearchApi, tenant: Tenant, docs: AddedDocument[], concurrency: number, instances: number): Probe {
  let unseen = docs;
  const lastMiss: HttpResult[] = [];
  return {
    async searchable() {
      const seen = await mapBounded(unseen, concurrency, async (doc, i) => {
        const r = await api.isSearchable(tenant, doc, i % instances);
        if (!r.found && lastMiss.length < 3) lastMiss.push(r.res);
        return r.found;
      });
      unseen = unseen.filter((_, i) => !seen[i]);
      return docs.length - unseen.length;
    },
    missing: () => unseen,
    evidence: () => lastMiss.slice(-3).map((r) => ({ label: `${tenant.label}: a golden document not found searchable`, exchange: r.exchange })),
  };
}

/**
 * Runs the profile's refresh for a tenant whose golden documents were just added, then proves with
 * `search.complete` that every one of them is searchable. With `refresh.until`, the calls are
 * repeated (or, with `repeat: false` or no calls, the probe polled) until it is, within `withinMs`;
 * a round that made no progress is followed by a pause that grows (50 ms up to 1 s) so a stalled
 * index is not hammered.
 */
export async function makeSearchable(o: {
  api: SearchApi;
  spec: SearchProfile;
  tenant: Tenant;
  docs: AddedDocument[];
  /** The count probe's value before the documents were added. */
  countBefore: number;
  instances: number;
}): Promise<Completeness> {
  const { api, spec, tenant, docs } = o;
  const started = Date.now();
  const until = spec.refresh.until;
  const complete = spec.complete;
  const how = complete ? ('count' in complete ? 'count' : 'lookup' in complete ? 'lookup' : 'search') : undefined;
  const probe = !complete ? undefined : how === 'count' ? countProbe(api, tenant, docs, o.countBefore, 0) : perDocumentProbe(api, tenant, docs, spec.concurrency, o.instances);
  let rounds = 0;
  let lastRefresh: HttpResult[] = [];
  let searchable: number | undefined;
  let wait = 50;
  const result = (): Completeness => ({
    tenant,
    documents: docs.length,
    searchable,
    missing: probe?.missing() ?? [],
    rounds,
    ms: Date.now() - started,
    how,
    evidence: [
      ...lastRefresh.map((r) => ({ label: `${tenant.label}'s last refresh call (round ${rounds})`, exchange: r.exchange })),
      ...(probe?.evidence() ?? []),
    ],
  });
  for (;;) {
    if (spec.refresh.calls.length > 0 && (rounds === 0 || until?.repeat)) {
      lastRefresh = await api.refresh(tenant, rounds % o.instances);
      rounds += 1;
    }
    if (!probe) return result();
    const before = searchable;
    searchable = await probe.searchable();
    if (searchable >= docs.length) return result();
    if (!until || Date.now() - started >= until.withinMs) return result();
    // Polling the probe, or a round that made no progress: pause, longer each time it stays still.
    const stalled = before !== undefined && searchable <= before;
    if (stalled || !until.repeat || spec.refresh.calls.length === 0) {
      await pause(Math.min(wait, Math.max(1, until.withinMs - (Date.now() - started))));
      wait = stalled ? Math.min(wait * 2, 1_000) : 50;
    } else {
      wait = 50;
    }
  }
}

/** The finding's words for an incomplete index. */
export function describeIncomplete(c: Completeness, spec: SearchProfile): { title: string; expected: string; actual: string } {
  const missing = c.documents - (c.searchable ?? 0);
  const which =
    c.missing.length > 0
      ? `: ${c.missing
          .slice(0, 8)
          .map((d) => d.docno)
          .join(', ')}${c.missing.length > 8 ? ` and ${c.missing.length - 8} more` : ''}`
      : ' (a count cannot say which)';
  const until = spec.refresh.until;
  const tried = until
    ? `after ${c.rounds} refresh round${c.rounds === 1 ? '' : 's'} over ${(c.ms / 1000).toFixed(1)} s (search.refresh.until.withinMs ${until.withinMs})`
    : c.rounds === 0
      ? 'once they were added (no search.refresh calls; an index that catches up in the background needs search.refresh: { calls: [], until: { complete: true, repeat: false } })'
      : 'after one refresh round; a refresh that does one page of work per call needs search.refresh.until';
  return {
    title: `the index is incomplete: ${missing} of ${c.documents} golden documents are not searchable for ${c.tenant.label} ${tried}, by search.complete.${c.how}${which}. Search quality is not measured on a partial index`,
    expected: `${c.documents} of ${c.documents} golden documents searchable`,
    actual: `${c.searchable ?? 0} of ${c.documents}`,
  };
}
