import { inject, vi } from 'vitest';
import { checkTimeoutMs } from '../runner/check-timeout.ts';
import { enforceReadOnly, PRODUCTION_READ_ONLY } from '../safety/read-only.ts';

// Runs in every suite worker before any suite file is imported (vitest `setupFiles`): a production
// run's workers are read-only before a suite's first line can send anything.
const context = inject('shipgate');
if (context?.kind === 'production') enforceReadOnly(PRODUCTION_READ_ONLY);

// startVitest's testTimeout reaches the suites project but its hookTimeout does not (vitest passes only
// some options on to projects), so a suite's clean-up hooks would keep 60 s whatever --runs asks.
if (context) vi.setConfig({ hookTimeout: checkTimeoutMs(context.runs) });
