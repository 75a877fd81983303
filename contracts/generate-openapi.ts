/** `npm run contracts:openapi`: writes contracts/openapi.json from the zod contracts. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACTS_VERSION } from './version.ts';
import { renderOpenApi } from './openapi.ts';

const file = join(import.meta.dirname, 'openapi.json');
writeFileSync(file, renderOpenApi(CONTRACTS_VERSION));
process.stdout.write(`wrote ${file}\n`);
