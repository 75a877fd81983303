import { describe, expect, it } from 'vitest';
import { ExportsApi, type QueuedExport } from '../../harness/exports/exports-api.ts';
import { FindingError } from '../../harness/findings/finding.ts';
import type { HttpResult } from '../../harness/http/client.ts';
import type { Exchange } from '../../harness/http/exchange.ts';

type Spec = ConstructorParameters<typeof ExportsApi>[0];

/** An export whose owner's productions route answers `status` with `json`. */
function exportAnswering(status: number, json: unknown): QueuedExport {
  const text = JSON.stringify(json);
  const exchange: Exchange = { instance: 0, ms: 1, request: { method: 'GET', url: 'http://t/v1/exports/e1/productions', headers: {} }, response: { status, headers: {}, body: text } };
  const send = async (): Promise<HttpResult> => ({ status, headers: {}, text, json, exchange });
  return { id: 'e1', queuedAt: 0, owner: { label: 'tenant-1', client: { send } } as never };
}

const api = new ExportsApi({ productions: { route: 'GET /v1/exports/{id}/productions' } } as unknown as Spec);

describe('witnessedOrInconclusive: what the exactly-once checks count productions with', () => {
  it('counts the ledger when it can be read', async () => {
    const seen = await api.witnessedOrInconclusive(exportAnswering(200, { items: [{ worker: 'w1' }, { worker: 'w2' }] }));
    expect(seen.count).toBe(2);
    expect(seen.ledger).toHaveLength(2);
  });

  it('ends the check as inconclusive when the ledger cannot be read, instead of counting no production', async () => {
    const err = await api.witnessedOrInconclusive(exportAnswering(500, { error: 'boom' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FindingError);
    expect((err as FindingError).finding.code).toBe('CHECK_PRECONDITION');
    expect((err as FindingError).finding.title).toMatch(/reading the productions of export e1 answered 500 without a list/);
  });
});
