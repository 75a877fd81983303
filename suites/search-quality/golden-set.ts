import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isTrecId, parseQrels, parseQueries, type Baseline, type GoldenDocument, type Qrels, type SearchProfile } from 'shipgate';

/** The golden documents, queries and judgments a search is measured on, and the accepted baseline. */
export interface GoldenSet {
  dir: string;
  documents: GoldenDocument[];
  queries: Map<string, string>;
  qrels: Qrels;
  baseline?: { file: string; value: Baseline };
  /** Where a baseline would be read from (for the message when there is none). */
  baselineFile: string;
}

/** shipgate's own set: `fixtures/search/`. */
export const BUILT_IN = join(import.meta.dirname, '..', '..', 'fixtures', 'search');

/** A golden-set file is missing or wrong: names the file, the line and what was expected. */
export class GoldenSetError extends Error {}

function read(file: string): string {
  if (!existsSync(file)) throw new GoldenSetError(`${file} does not exist (a golden set has documents.jsonl, queries.tsv and qrels.txt)`);
  return readFileSync(file, 'utf8');
}

function parseDocuments(text: string, file: string): GoldenDocument[] {
  const docs: GoldenDocument[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let d: Partial<GoldenDocument>;
    try {
      d = JSON.parse(line) as Partial<GoldenDocument>;
    } catch {
      throw new GoldenSetError(`${file}:${i + 1}: not JSON`);
    }
    if (typeof d.docno !== 'string' || typeof d.title !== 'string' || typeof d.text !== 'string') {
      throw new GoldenSetError(`${file}:${i + 1}: expected {"docno": "...", "title": "...", "text": "..."}`);
    }
    // As trec_eval reads a docno: any characters but its field separators (C whitespace) and NUL.
    if (!isTrecId(d.docno)) throw new GoldenSetError(`${file}:${i + 1}: docno ${JSON.stringify(d.docno)} is empty or holds a space, tab, line break or NUL, which TREC files cannot carry`);
    if (docs.some((x) => x.docno === d.docno)) throw new GoldenSetError(`${file}:${i + 1}: docno ${d.docno} appears twice`);
    docs.push({ docno: d.docno, title: d.title, text: d.text });
  });
  return docs;
}

export function loadGoldenSet(search: SearchProfile, configPath: string): GoldenSet {
  const dir = search.fixtures ? resolve(dirname(configPath), search.fixtures) : BUILT_IN;
  const documents = parseDocuments(read(join(dir, 'documents.jsonl')), join(dir, 'documents.jsonl'));
  const queries = parseQueries(read(join(dir, 'queries.tsv')), join(dir, 'queries.tsv'));
  const qrels = parseQrels(read(join(dir, 'qrels.txt')), join(dir, 'qrels.txt'));
  const docnos = new Set(documents.map((d) => d.docno));
  for (const [qid, judged] of qrels) {
    if (!queries.has(qid)) throw new GoldenSetError(`${join(dir, 'qrels.txt')}: query ${qid} is judged but not in queries.tsv`);
    for (const docno of judged.keys()) {
      if (!docnos.has(docno)) throw new GoldenSetError(`${join(dir, 'qrels.txt')}: ${qid} judges ${docno}, which is not in documents.jsonl`);
    }
  }
  const baselineFile = search.baseline ? resolve(dirname(configPath), search.baseline) : join(dir, 'baseline.json');
  const baseline = existsSync(baselineFile) ? { file: baselineFile, value: JSON.parse(readFileSync(baselineFile, 'utf8')) as Baseline } : undefined;
  return { dir, documents, queries, qrels, baselineFile, ...(baseline ? { baseline } : {}) };
}
