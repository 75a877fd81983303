import { FindingError, findingRaiser, precondition, useTarget, type CheckContext } from 'shipgate';
import suite from './suite.ts';
import { EXPORTS_FINDINGS } from './findings.ts';
import { produceGoldenExport, type GoldenExport } from './golden-export.ts';
import { compareDatabase, compareLedger, compareManifest, systemVerdict, type Comparison } from './witnesses.ts';

const target = await useTarget();
const spec = target.profile.exports!;
const raise = findingRaiser(EXPORTS_FINDINGS);

// One export serves every check: the first check to ask produces it, the others judge it.
let golden: Promise<GoldenExport> | undefined;
async function goldenExport(c: CheckContext): Promise<GoldenExport> {
  const first = golden === undefined;
  golden ??= produceGoldenExport(c);
  try {
    return await golden;
  } catch (err) {
    if (first || !(err instanceof FindingError)) throw err;
    return precondition({ title: `there is no finished export to judge: ${err.finding.title}`, needs: 'the golden export of the first check was produced and downloaded' });
  }
}

function raiseFirst(comparisons: Comparison[]): void {
  const wrong = comparisons.find((x) => !x.agrees);
  if (wrong) raise(wrong.code, wrong.title, wrong.evidence);
}

suite.check('an export is requested, finishes and downloads', async (c) => {
  const g = await goldenExport(c);
  c.report({
    title: 'golden export',
    rows: [
      {
        export: g.x.id,
        states: g.timeline.split('\n').map((l) => l.trim().replace(/^\+\S+ s\s+/, '')).join(' → '),
        items: g.items?.length ?? 'not declared',
        'shipgate hash': g.hash,
      },
    ],
  });
});

suite.check("the manifest's hashes are the hashes of the downloaded data, whole and item by item", async (c) => {
  if (!spec.manifest) return c.notApplicable('exports.manifest is not given (the route of the manifest and where its hashes are)');
  const g = await goldenExport(c);
  const compared = await compareManifest(g);
  if ('unreadable' in compared) return raise(compared.unreadable.code, compared.unreadable.title, compared.unreadable.evidence);
  raiseFirst(compared);
  if (!g.items || !spec.manifest.items) {
    c.report({ title: 'manifest', text: 'item hashes not compared: declare exports.hashes.items and exports.manifest.items to check each item' });
  } else if (g.items.length === 0) {
    c.report({ title: 'manifest', text: 'the export held no items, so no item hash was compared (exports.prepare makes the data an export holds)' });
  }
});

suite.check('the ledger event records the hash of the downloaded data', async (c) => {
  if (!spec.productions.hash) c.notApplicable('exports.productions.hash is not given (where a ledger event records the hash of the export)');
  raiseFirst([await compareLedger(await goldenExport(c))]);
});

suite.check('the database computes and stored the hash of the downloaded data', async (c) => {
  if (!spec.hashes?.database) c.notApplicable('exports.hashes.database is not given (SQL that computes the hash in the database)');
  const compared = await compareDatabase(c.target, await goldenExport(c));
  if ('missing' in compared) return c.notApplicable(`exports.hashes.database needs the database: ${compared.missing}`);
  if ('failed' in compared) return precondition({ title: `${compared.failed.label} (is exports.hashes.database.sql right?)`, needs: 'SQL that answers one row per stored copy of the export, with a computed column', evidence: [compared.failed] });
  raiseFirst(compared);
});

suite.check("the system's verification agrees with the hashes shipgate recomputed", async (c) => {
  if (!spec.verify) c.notApplicable('exports.verify is not given (the system\'s own manifest verification)');
  const g = await goldenExport(c);
  // shipgate's own verdict, from every witness the profile declares.
  const witnesses: Comparison[] = [];
  if (spec.manifest) {
    const m = await compareManifest(g);
    witnesses.push(...('unreadable' in m ? [m.unreadable] : m));
  }
  if (spec.productions.hash) witnesses.push(await compareLedger(g));
  if (spec.hashes?.database) {
    const d = await compareDatabase(c.target, g);
    if (Array.isArray(d)) witnesses.push(...d);
  }
  const wrong = witnesses.filter((w) => !w.agrees);
  const verdict = await systemVerdict(g);
  if (verdict.valid === undefined) {
    precondition({ title: `the system's verification of export ${g.x.id} could not be read (is exports.verify right?)`, needs: "exports.verify.valid reads the system's verdict", evidence: [verdict.evidence] });
  }
  if (verdict.valid && wrong.length > 0) {
    raise('EXPORT_VERIFY_VOUCHES', `the system verifies export ${g.x.id} as intact, but ${wrong.map((w) => w.witness).join(', ')} ${wrong.length === 1 ? 'does' : 'do'} not match the data: ${wrong[0]!.title}`, [verdict.evidence, ...wrong[0]!.evidence]);
  }
  if (!verdict.valid && wrong.length === 0) {
    raise('EXPORT_VERIFY_REJECTS', `the system verifies export ${g.x.id} as not intact, but every hash shipgate recomputed matches (${witnesses.map((w) => w.witness).join(', ') || 'no witness declared'})`, [verdict.evidence]);
  }
  c.report({ title: 'verification', text: `the system ${verdict.valid ? 'verifies' : 'refuses'} export ${g.x.id}; shipgate's witnesses: ${witnesses.map((w) => `${w.witness} ${w.agrees ? 'matches' : 'differs'}`).join(', ')}` });
});
