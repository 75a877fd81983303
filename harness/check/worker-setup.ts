import { inject } from 'vitest';
import { enforceReadOnly, PRODUCTION_READ_ONLY } from '../safety/read-only.ts';

// Runs in every suite worker before any suite file is imported (vitest `setupFiles`): a production
// run's workers are read-only before a suite's first line can send anything.
const context = inject('shipgate');
if (context?.kind === 'production') enforceReadOnly(PRODUCTION_READ_ONLY);
