/**
 * TREC's plain-text formats, so golden sets and runs move between shipgate and trec_eval:
 * qrels `qid iter docno rel`, runs `qid Q0 docno rank score tag`, queries `qid<TAB>text`.
 * Fields are split as trec_eval splits them, on C whitespace only: a docno may hold any other
 * character (a no-break space, accents, any script).
 */
import { TREC_WHITESPACE } from './trec-conventions.ts';

/** Graded judgments: qid → docno → relevance (0 = judged not relevant). */
export type Qrels = Map<string, Map<string, number>>;

/** One retrieved document of a run. trec_eval orders by score, not by the rank column. */
export interface RunEntry {
  docno: string;
  score: number;
}

/** qid → retrieved documents (any order; `rankRun` orders them). */
export type Run = Map<string, RunEntry[]>;

/** A line of a TREC file could not be read: names the file, the line and what was expected. */
export class TrecFormatError extends Error {}

function lines(text: string): { n: number; fields: string[] }[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ n: i + 1, fields: line.replace(/^[ \t\v\f\r]+|[ \t\v\f\r]+$/g, '').split(TREC_WHITESPACE) }))
    .filter((l) => l.fields[0] !== '' && !l.fields[0]!.startsWith('#'));
}

export function parseQrels(text: string, file = 'qrels'): Qrels {
  const qrels: Qrels = new Map();
  for (const { n, fields } of lines(text)) {
    const [qid, , docno, rel] = fields;
    if (fields.length !== 4 || !/^-?\d+$/.test(rel ?? '')) {
      throw new TrecFormatError(`${file}:${n}: expected 'qid iter docno relevance' with an integer relevance, got '${fields.join(' ')}'`);
    }
    const judged = qrels.get(qid!) ?? new Map<string, number>();
    if (judged.has(docno!)) throw new TrecFormatError(`${file}:${n}: document ${docno} is judged twice for query ${qid}`);
    judged.set(docno!, Number(rel));
    qrels.set(qid!, judged);
  }
  return qrels;
}

export function parseRun(text: string, file = 'run'): Run {
  const run: Run = new Map();
  for (const { n, fields } of lines(text)) {
    const [qid, , docno, , score] = fields;
    if (fields.length !== 6 || !Number.isFinite(Number(score))) {
      throw new TrecFormatError(`${file}:${n}: expected 'qid Q0 docno rank score tag' with a numeric score, got '${fields.join(' ')}'`);
    }
    const entries = run.get(qid!) ?? [];
    entries.push({ docno: docno!, score: Number(score) });
    run.set(qid!, entries);
  }
  return run;
}

/** `qid<TAB>query text` per line (the format of MS MARCO / BEIR query files). */
export function parseQueries(text: string, file = 'queries'): Map<string, string> {
  const queries = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const tab = line.indexOf('\t');
    if (tab <= 0 || line.slice(tab + 1).trim() === '') throw new TrecFormatError(`${file}:${i + 1}: expected 'qid<TAB>query text', got '${line}'`);
    const qid = line.slice(0, tab).trim();
    if (queries.has(qid)) throw new TrecFormatError(`${file}:${i + 1}: query ${qid} appears twice`);
    queries.set(qid, line.slice(tab + 1).trim());
  });
  return queries;
}

/** A run in TREC format, ranked as trec_eval ranks it. */
export function formatRun(run: Run, tag: string, rank: (entries: RunEntry[]) => RunEntry[]): string {
  const out: string[] = [];
  for (const [qid, entries] of run) {
    rank(entries).forEach((e, i) => out.push(`${qid} Q0 ${e.docno} ${i + 1} ${e.score} ${tag}`));
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
