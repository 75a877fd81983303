import { inject, vi } from 'vitest';
import { checkTimeoutMs } from '../runner/check-timeout.ts';
import { enforceReadOnly, PRODUCTION_READ_ONLY } from '../safety/read-only.ts';
import { forgetTarget } from './target.ts';

// Runs in every suite worker before each suite file is imported (vitest `setupFiles`): a production
// run's workers are read-only before a suite's first line can send anything.
const context = inject('shipgate');
if (context?.kind === 'production') enforceReadOnly(PRODUCTION_READ_ONLY);

// startVitest's testTimeout reaches the suites project but its hookTimeout does not (vitest passes only
// some options on to projects), so a suite's clean-up hooks would keep 60 s whatever --runs asks.
if (context) vi.setConfig({ hookTimeout: checkTimeoutMs(context.runs) });

// Files share a worker's modules (the suites project sets isolate: false, so the harness loads once
// per worker, not once per file): each file still gets a target, and a tenants pool, of its own.
forgetTarget();
