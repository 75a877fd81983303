import type pg from 'pg';
import type { Target } from '../check/target.ts';
import { databaseSettings } from '../database/settings.ts';
import { connectDatabase } from '../database/session.ts';
import type { Evidence } from '../findings/finding.ts';

/** What the database says an export produced: one row per stored bundle. */
export interface FilesSeen {
  rows: Record<string, unknown>[];
  evidence: Evidence;
}

/** The SQL failed: the profile's `exports.files.sql` does not fit this database. */
export class FilesWitnessError extends Error {
  constructor(
    message: string,
    readonly evidence: Evidence,
  ) {
    super(message);
  }
}

/**
 * The second witness of exactly-once exports: `exports.files.sql` run in the system's database,
 * which counts the bundles stored whatever the ledger (the first witness) records.
 */
export class FilesWitness {
  private constructor(
    readonly sql: string,
    private readonly client: pg.Client,
  ) {}

  /** Connects, or says why there is no second witness (`undefined`: the profile gives none). */
  static async open(target: Target): Promise<FilesWitness | { missing: string } | undefined> {
    const files = target.profile.exports?.files;
    if (!files) return undefined;
    const settings = databaseSettings(target.profile, target.context);
    if ('missing' in settings) return { missing: settings.missing };
    return new FilesWitness(files.sql, await connectDatabase(settings.url, 'the exports files witness'));
  }

  async files(exportId: string): Promise<FilesSeen> {
    const shown = `${this.sql.trim()}  -- $1 = ${exportId}`;
    try {
      const { rows } = await this.client.query<Record<string, unknown>>(this.sql, [exportId]);
      return { rows, evidence: { label: `stored bundles of export ${exportId} (exports.files.sql): ${rows.length} row(s)`, sql: shown, data: rows } };
    } catch (err) {
      const evidence = { label: 'exports.files.sql failed', sql: shown, text: (err as Error).message };
      throw new FilesWitnessError(`exports.files.sql failed for export ${exportId}: ${(err as Error).message}`, evidence);
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
