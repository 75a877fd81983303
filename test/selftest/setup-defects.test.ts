import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defectChangesSetup, EMBEDDED_SYSTEMS, embeddedSystem, loadDefects } from '../../harness/embedded/systems.ts';
import { ROOT } from '../support/cli.ts';

// The migration code of each embedded system: a defect id named there is a switch its setup reads.
const MIGRATION_CODE: Record<string, string[]> = {
  reference: ['reference/migrate.ts', 'reference/db/migrations.ts'],
  articles: ['articles/migrate.ts', 'articles/db/migrator.ts', 'articles/db/admin-user.ts', 'articles/db/app-role.ts'],
};

describe('which defects selftest may run on a copy of the clean migrated database', () => {
  it('covers every embedded system that declares a setup that only migrates', () => {
    expect(EMBEDDED_SYSTEMS.filter((s) => s.setupMigratesOnly).map((s) => s.name).sort()).toEqual(Object.keys(MIGRATION_CODE).sort());
  });

  for (const [name, files] of Object.entries(MIGRATION_CODE)) {
    it(`${name}: a defect with schema-level SQL, or named in the migration code, gets a setup of its own; the others share the clean one`, async () => {
      const system = embeddedSystem(name)!;
      const defects = await loadDefects(ROOT, system);
      const code = files.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
      const sqlDir = join(ROOT, system.setupMigratesOnly!.defectSql!);
      const withSql = existsSync(sqlDir) ? readdirSync(sqlDir).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')) : [];
      // Every SQL switch belongs to a defect of the catalog (a typo would leave it never applied).
      expect(withSql.filter((id) => !defects.some((d) => d.id === id))).toEqual([]);
      for (const d of defects) {
        const readByMigrations = new RegExp(`['"\`]${d.id}['"\`]`).test(code);
        if (readByMigrations) expect(d.changesSetup, `${name}:${d.id} is read by the migration code: mark it changesSetup`).toBe(true);
        expect(defectChangesSetup(ROOT, system, d), `${name}:${d.id}`).toBe(withSql.includes(d.id) || readByMigrations || d.changesSetup === true);
      }
    });
  }

  it("a defect's schema-level SQL changes its own database only: runs side by side share one server, so a cluster-wide change would reach the others", () => {
    // Roles, role memberships and server settings belong to the whole cluster: one defect's switch
    // there would hold in every run that overlaps it (a clean run failing, or another defect
    // "caught" by this one's finding).
    const clusterWide = /\b(ALTER|DROP)\s+(ROLE|USER|GROUP)\b|\bCREATE\s+(ROLE|USER|GROUP)\b|\bALTER\s+SYSTEM\b|\bALTER\s+DATABASE\b|\bGRANT\s+\w+\s+TO\b|\bREVOKE\s+\w+\s+FROM\b|\bCREATE\s+TABLESPACE\b/i;
    const seen: string[] = [];
    for (const system of EMBEDDED_SYSTEMS.filter((s) => s.setupMigratesOnly?.defectSql)) {
      const dir = join(ROOT, system.setupMigratesOnly!.defectSql!);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.sql'))) {
        seen.push(f);
        const sql = readFileSync(join(dir, f), 'utf8').replace(/--.*$/gm, '');
        expect(sql.match(clusterWide)?.[0], `${system.name}: ${f}`).toBeUndefined();
      }
    }
    expect(seen.length).toBeGreaterThan(0);
  });

  it('counts every defect as changing the setup of a system that does not declare it only migrates', () => {
    const system = { ...embeddedSystem('reference')!, setupMigratesOnly: undefined };
    expect(defectChangesSetup(ROOT, system, { id: 'tenant-leak-read', promise: '', mistake: '', caughtBy: [], findingCodes: [] })).toBe(true);
  });
});
