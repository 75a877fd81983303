import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The pact files to verify, and what was left out and why. */
export interface PactFiles {
  files: string[];
  /** Files that are not this provider's, or not for the chosen consumers. */
  skipped: string[];
  /** Paths that could not be used (missing, not JSON, not a pact). */
  problems: string[];
  interactions: number;
}

interface PactDocument {
  consumer?: { name?: string };
  provider?: { name?: string };
  interactions?: unknown[];
}

/**
 * Expands `pact.files` (files, and folders of `*.json`) relative to the profile, keeping the pacts
 * whose provider is the one named (a folder often holds several providers' pacts) and whose
 * consumer is among `consumers` when given.
 */
export function pactFiles(given: string[], o: { baseDir: string; provider: string; consumers?: string[] }): PactFiles {
  const out: PactFiles = { files: [], skipped: [], problems: [], interactions: 0 };
  const shown = (p: string) => relative(process.cwd(), p) || p;
  for (const entry of given) {
    const path = resolve(o.baseDir, entry);
    if (!existsSync(path)) {
      out.problems.push(`${shown(path)}: no such file or folder (pact.files is relative to the profile)`);
      continue;
    }
    const candidates = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(path, f))
      : [path];
    if (candidates.length === 0) out.problems.push(`${shown(path)}: a folder without any .json pact file`);
    for (const file of candidates) {
      let doc: PactDocument;
      try {
        doc = JSON.parse(readFileSync(file, 'utf8')) as PactDocument;
      } catch (err) {
        out.problems.push(`${shown(file)}: not JSON (${(err as Error).message})`);
        continue;
      }
      if (!doc.provider?.name || !doc.consumer?.name || !Array.isArray(doc.interactions)) {
        out.problems.push(`${shown(file)}: not a pact (it needs consumer.name, provider.name and interactions)`);
        continue;
      }
      if (doc.provider.name !== o.provider) {
        out.skipped.push(`${shown(file)}: a pact with provider '${doc.provider.name}', not '${o.provider}' (pact.provider)`);
        continue;
      }
      if (o.consumers && !o.consumers.includes(doc.consumer.name)) {
        out.skipped.push(`${shown(file)}: consumer '${doc.consumer.name}' is not in pact.consumers`);
        continue;
      }
      out.files.push(file);
      out.interactions += doc.interactions.length;
    }
  }
  return out;
}
