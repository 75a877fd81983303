import { join } from 'node:path';

/** Where the committed consumer pacts live (what the pact suite verifies by default). */
export const PACT_DIR = join(import.meta.dirname, '..', '..', 'contracts', 'pact');

export const pactFileName = (consumer: string, provider: string) => `${consumer}-${provider}.json`;

/**
 * A pact as committed: pact-js's own version numbers are dropped from the metadata (they change
 * with every upgrade and say nothing about the contract), and the JSON is pretty-printed.
 */
export function stablePact(text: string): string {
  const pact = JSON.parse(text) as { metadata?: Record<string, unknown> };
  if (pact.metadata) {
    delete pact.metadata.pactJs;
    delete pact.metadata.pactRust;
  }
  return `${JSON.stringify(pact, null, 2)}\n`;
}
