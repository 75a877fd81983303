/**
 * The worker: `node --import tsx reference/worker.ts`; run several, beside the API. It produces
 * exports and extracts the graph of chat messages.
 * Env: DATABASE_URL (required); EXPORT_WORKER_ID, EXPORT_LEASE_MS, EXPORT_HEARTBEAT_MS,
 * EXPORT_SWEEP_MS, EXPORT_MAX_ATTEMPTS, GRAPH_RETRY_BASE_MS, REFERENCE_DEFECTS (see config.ts).
 */
import { hostname } from 'node:os';
import { loadOrExit, loadWorkerConfig } from './config.ts';
import { claimSelectThenUpdate, claimSkipLocked, completeFenced, completeUnfenced, recoverExpiredLeases, recoverOwnOnly } from './exports/queue.ts';
import { ExportWorker } from './exports/worker-loop.ts';
import { GraphWorker } from './graph/worker-loop.ts';

const config = loadOrExit(() => loadWorkerConfig(process.env, `${hostname()}:${process.pid}`));
const log = (fields: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), worker_id: config.workerId, ...fields })}\n`);

const defects = config.defects;
const doubleClaim = defects.has('export-double-claim') || defects.has('export-double-claim-ledger-once');
const noRecovery = defects.has('no-stuck-recovery');
const worker = new ExportWorker({
  databaseUrl: config.databaseUrl,
  workerId: config.workerId,
  leaseMs: config.leaseMs,
  heartbeatMs: config.heartbeatMs,
  sweepMs: config.sweepMs,
  maxAttempts: config.maxAttempts,
  claim: doubleClaim ? claimSelectThenUpdate : claimSkipLocked,
  // A worker that trusts its claim completes by id; the fence is what makes a late completion harmless.
  complete:
    doubleClaim || defects.has('completion-unfenced')
      ? completeUnfenced({ ledgerOnce: defects.has('export-double-claim-ledger-once') })
      : completeFenced,
  recover: noRecovery ? recoverOwnOnly : recoverExpiredLeases,
  // DEFECT recovery-on-start-only: expired leases are recovered when a worker starts, never by a running one
  sweep: !noRecovery && !defects.has('recovery-on-start-only'),
  render: { ledgerFromStringify: defects.has('hash-mismatch') },
  log,
});
// Graph jobs share the lease, sweep and attempt settings of exports.
const graph = new GraphWorker({
  databaseUrl: config.databaseUrl,
  workerId: config.workerId,
  leaseMs: config.leaseMs,
  sweepMs: config.sweepMs,
  maxAttempts: config.maxAttempts,
  retryBaseMs: config.graphRetryBaseMs,
  log,
});
if (config.defects.size > 0) log({ level: 'warn', msg: 'reference defects switched on', defects: [...config.defects] });

try {
  await graph.start();
  await worker.start(); // logs 'worker ready'
} catch (err) {
  log({ level: 'error', msg: 'worker could not start', err: (err as Error).message });
  await Promise.all([graph.stop(), worker.stop()]);
  process.exit(1);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log({ level: 'info', msg: 'shutting down', signal });
    void Promise.all([graph.stop(), worker.stop()]).then(() => process.exit(process.exitCode ?? 0));
  });
}
