import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Where the committed consumer pacts live (what the pact suite verifies by default). */
export const PACT_DIR = join(import.meta.dirname, '..', '..', 'contracts', 'pact');

export const pactFileName = (consumer: string, provider: string) => `${consumer}-${provider}.json`;

/**
 * A pact as committed: of the metadata only the specification version is kept (the tools' own
 * version numbers change with every upgrade and say nothing about the contract), pretty-printed.
 */
export function stablePact(text: string): string {
  const pact = JSON.parse(text) as { metadata?: Record<string, unknown> };
  if (pact.metadata) pact.metadata = { pactSpecification: pact.metadata.pactSpecification };
  return `${JSON.stringify(pact, null, 2)}\n`;
}

/** A folder of its own for one consumer's pact as pact-js writes it. */
export const scratchDir = () => mkdtempSync(join(tmpdir(), 'shipgate-pact-'));

/**
 * The pact a consumer test wrote must be exactly the committed one (what the pact suite or a test
 * verifies); `npm run contracts:pact` (PACT_UPDATE=1) rewrites the committed one instead.
 */
export function checkPactFile(scratch: string, consumer: string, provider: string, committedDir: string): void {
  const written = readdirSync(scratch);
  expect(written).toEqual([pactFileName(consumer, provider)]);
  const fresh = stablePact(readFileSync(join(scratch, written[0]!), 'utf8'));
  const committed = join(committedDir, written[0]!);
  if (process.env.PACT_UPDATE === '1') return writeFileSync(committed, fresh);
  expect(readFileSync(committed, 'utf8'), `${committed} is stale: run \`npm run contracts:pact\``).toBe(fresh);
}
