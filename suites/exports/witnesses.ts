import { connectDatabase, databaseSettings, explainHash, sameHash, type Evidence, type Target } from 'shipgate';
import { clip, hashedEvidence, type GoldenExport } from './golden-export.ts';
import type { EXPORTS_FINDINGS } from './findings.ts';

type Code = keyof typeof EXPORTS_FINDINGS;

/** What one witness of the export's hash says, against shipgate's own hash of the data. */
export interface Comparison {
  /** `manifest`, `manifest items`, `ledger`, `database`. */
  witness: string;
  agrees: boolean;
  /** The finding when it does not agree. */
  code: Code;
  title: string;
  evidence: Evidence[];
}

/** Why the system's hash differs, when it matches another rendering of the same data. */
function because(g: GoldenExport, system: string): string {
  const what = explainHash(system, g.covered, g.recipe, g.download.bytes);
  return what ? `; the system's hash is the hash of ${what}, not of the declared canonical form` : '';
}

/** The manifest's hash of the whole export, and of each item when both sides declare items. */
export async function compareManifest(g: GoldenExport): Promise<Comparison[] | { unreadable: Comparison }> {
  const manifestSpec = g.spec.manifest!;
  const res = (await g.api.manifest(g.x))!;
  const readable = res.status >= 200 && res.status < 300 && res.json !== undefined;
  let hash: string | undefined;
  try {
    hash = readable ? manifestSpec.hash(res.json) : undefined;
  } catch {
    hash = undefined;
  }
  if (typeof hash !== 'string') {
    return {
      unreadable: {
        witness: 'manifest',
        agrees: false,
        code: 'EXPORT_MANIFEST_UNREADABLE',
        title: `the manifest of export ${g.x.id} answered ${res.error ?? res.status}${readable ? ' without a hash where exports.manifest.hash looks' : ''}`,
        evidence: [{ label: 'manifest', exchange: res.exchange }],
      },
    };
  }
  const whole: Comparison = {
    witness: 'manifest',
    agrees: sameHash(hash, g.hash, g.recipe.encoding),
    code: 'EXPORT_HASH_MISMATCH',
    title: `the manifest of export ${g.x.id} records ${hash}, but the downloaded data hashes to ${g.hash}${because(g, hash)}`,
    evidence: [{ label: 'manifest', exchange: res.exchange }, hashedEvidence(g), { label: 'download', exchange: g.download.exchange }],
  };
  const out = [whole];
  if (g.items && manifestSpec.items) {
    const listed = manifestSpec.items(res.json);
    const byId = new Map(listed.map((i) => [String(i.id), i.hash]));
    const held = new Set(g.items.map((i) => i.id));
    const unlisted = g.items.filter((i) => !byId.has(i.id)).map((i) => i.id);
    const extra = [...byId.keys()].filter((id) => !held.has(id));
    out.push({
      witness: 'manifest items',
      agrees: unlisted.length === 0 && extra.length === 0,
      code: 'EXPORT_MANIFEST_ITEMS_DIFFER',
      title: `the manifest of export ${g.x.id} does not list exactly the items of its download (${unlisted.length} held but not listed${unlisted.length ? `: ${unlisted.slice(0, 3).join(', ')}` : ''}; ${extra.length} listed but not held${extra.length ? `: ${extra.slice(0, 3).join(', ')}` : ''})`,
      evidence: [{ label: 'manifest', exchange: res.exchange }, { label: 'download', exchange: g.download.exchange }],
    });
    const wrong = g.items.filter((i) => byId.has(i.id) && !sameHash(byId.get(i.id), i.hash, g.recipe.encoding));
    const first = wrong[0];
    out.push({
      witness: 'item hashes',
      agrees: wrong.length === 0,
      code: 'EXPORT_ITEM_HASH_MISMATCH',
      title: first
        ? `${wrong.length} of ${g.items.length} items of export ${g.x.id} have a manifest hash that is not the hash of the item: item ${first.id} is recorded as ${byId.get(first.id)}, hashes to ${first.hash}`
        : '',
      evidence: first ? [{ label: `item ${first.id} as shipgate hashed it: ${first.hash}`, text: clip(first.text) }, { label: 'manifest', exchange: res.exchange }] : [],
    });
  }
  return out;
}

/** Every production (ledger event) of the export records the hash of its data. */
export async function compareLedger(g: GoldenExport): Promise<Comparison> {
  const seen = await g.api.witnessedOrInconclusive(g.x);
  const evidence: Evidence[] = [...seen.evidence, hashedEvidence(g)];
  if (seen.ledger.length === 0) {
    return { witness: 'ledger', agrees: false, code: 'EXPORT_LEDGER_MISSING', title: `export ${g.x.id} is done but its ledger holds no event for it`, evidence };
  }
  const recorded = seen.ledger.map((e) => {
    try {
      return g.spec.productions.hash!(e);
    } catch {
      return undefined;
    }
  });
  const wrong = recorded.filter((h) => !sameHash(h, g.hash, g.recipe.encoding));
  const first = wrong[0];
  return {
    witness: 'ledger',
    agrees: wrong.length === 0,
    code: 'EXPORT_LEDGER_HASH_MISMATCH',
    title:
      wrong.length === 0
        ? ''
        : typeof first !== 'string'
          ? `a ledger event of export ${g.x.id} records no hash where exports.productions.hash looks`
          : `the ledger event of export ${g.x.id} records ${first}, but the downloaded data hashes to ${g.hash}${because(g, first)}`,
    evidence,
  };
}

/** What the database computes from the stored export (`computed`) and what it stored (`stored`). */
export async function compareDatabase(target: Target, g: GoldenExport): Promise<Comparison[] | { missing: string } | { failed: Evidence }> {
  const sql = g.spec.hashes!.database!.sql;
  const settings = databaseSettings(target.profile, target.context);
  if ('missing' in settings) return { missing: settings.missing };
  const client = await connectDatabase(settings.url, 'the exports hash witness');
  const shown = `${sql.trim()}  -- $1 = ${g.x.id}`;
  try {
    const { rows } = await client.query<Record<string, unknown>>(sql, [g.x.id]);
    if (rows.length === 0 || !rows.every((r) => 'computed' in r)) {
      return { failed: { label: `exports.hashes.database.sql returned ${rows.length} row(s)${rows.length ? ' without a `computed` column' : ''} for export ${g.x.id}`, sql: shown, data: rows } };
    }
    const data = rows.map((r) => ({ computed: r.computed, ...('stored' in r ? { stored: r.stored } : {}) }));
    const evidence: Evidence[] = [{ label: 'what the database says', sql: shown, data }, hashedEvidence(g)];
    const out: Comparison[] = [];
    for (const column of ['computed', 'stored'] as const) {
      const values = rows.filter((r) => column in r).map((r) => (r[column] === null ? undefined : String(r[column])));
      const wrong = values.find((v) => !sameHash(v, g.hash, g.recipe.encoding));
      out.push({
        witness: `database (${column})`,
        agrees: !values.some((v) => !sameHash(v, g.hash, g.recipe.encoding)),
        code: 'EXPORT_DATABASE_HASH_MISMATCH',
        title:
          column === 'computed'
            ? `the database computes ${wrong ?? 'no hash'} for export ${g.x.id} from what it stored, but the downloaded data hashes to ${g.hash}${wrong ? because(g, wrong) : ''}`
            : `the database stored ${wrong ?? 'no hash'} for export ${g.x.id}, but the downloaded data hashes to ${g.hash}${wrong ? because(g, wrong) : ''}`,
        evidence,
      });
    }
    return out;
  } catch (err) {
    return { failed: { label: 'exports.hashes.database.sql failed', sql: shown, text: (err as Error).message } };
  } finally {
    await client.end().catch(() => {});
  }
}

/** The system's own verification, as the profile reads its answer. */
export async function systemVerdict(g: GoldenExport): Promise<{ valid: boolean | undefined; evidence: Evidence }> {
  const res = (await g.api.verify(g.x))!;
  let valid: boolean | undefined;
  try {
    valid = res.status === 0 ? undefined : g.spec.verify!.valid(res.json ?? res.text, res.status) === true;
  } catch {
    valid = undefined;
  }
  return { valid, evidence: { label: 'the system verifies the export', exchange: res.exchange } };
}
