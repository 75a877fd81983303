/**
 * A large golden set for the search bench, generated from a seed (the same seed gives the same
 * files byte for byte), shaped like a real test collection (Cranfield: 1,400 documents, 225
 * queries, graded judgments):
 * - topics with sub-topics, each with its own vocabulary (invented words, so no real corpus is
 *   needed, with English suffixes the stemmer folds), over a Zipf-distributed general vocabulary;
 * - document lengths spread like abstracts (a short title, 40 to 260 words of text);
 * - exact duplicates (about one document in twelve repeats another's title and text), so a real
 *   search scores many documents exactly alike: the tie order is the measures' business;
 * - graded judgments: 3 for a document of the query's sub-topic that shares most of its words,
 *   2 for the rest of the sub-topic, 1 for a close document of the same topic, 0 for a judged
 *   document of another topic; about 10 documents judged relevant per query, as in Cranfield;
 * - a few docnos outside ASCII (accents, Greek, full-width and astral letters), whose tie order
 *   differs between UTF-16 and UTF-8 comparison.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GeneratedDocument {
  docno: string;
  title: string;
  text: string;
}

export interface GeneratedGoldenSet {
  seed: number;
  documents: GeneratedDocument[];
  /** qid → query text, in qid order. */
  queries: Map<string, string>;
  /** qid → docno → grade. */
  qrels: Map<string, Map<string, number>>;
}

/** mulberry32: small, fast and good enough to draw a corpus from; seeded, so reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Draw = () => number;
const pick = <T>(r: Draw, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const between = (r: Draw, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** Index into a list of n items with Zipf weights (rank^-s): a few words carry most occurrences. */
function zipf(n: number, s: number): (r: Draw) => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 1; i <= n; i++) cumulative.push((total += 1 / i ** s));
  return (r) => {
    const x = r() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'cr', 'dr', 'fl', 'gr', 'pl', 'pr', 'st', 'tr', 'th', 'sh', 'ch'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou'];
const CODAS = ['', '', 'n', 'r', 'l', 'm', 's', 'x', 'nt', 'rd', 'st', 'lk'];
const SUFFIXES = ['', '', '', 's', 'ing', 'ed', 'ion', 'al'];

// Common English words, so texts read like prose to a tokenizer and carry the usual stop words.
const GENERAL = (
  'the of and to in a is for on that with by as are be this from at an which it or was can we ' +
  'results method system data value model flow test case number used effect high low small large ' +
  'given shown found paper study problem analysis theory approach general results obtained based ' +
  'present work new two three first second order time range conditions values cases form made ' +
  'also both each than such these between under over through well however only other same different'
).split(' ');

/** Invented words, unique across the whole vocabulary. */
function inventWords(r: Draw, count: number, taken: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const syllables = between(r, 2, 3);
    let w = '';
    for (let i = 0; i < syllables; i++) w += pick(r, ONSETS) + pick(r, VOWELS);
    w += pick(r, CODAS);
    if (w.length < 5 || taken.has(w)) continue;
    taken.add(w);
    out.push(w);
  }
  return out;
}

interface Topic {
  words: string[];
  subtopics: string[][];
}

// Docnos outside ASCII: é (2 UTF-8 bytes), Ω (2), ｆ (3, U+FF46), 𝔡 (4, U+1D521: a surrogate pair in
// UTF-16, whose first unit U+D835 sorts before U+FF46 there, while its UTF-8 bytes sort after).
const UNICODE_STEMS = ['café', 'Ωmega', 'ｆｕｌｌ', '𝔡oc', 'naïve', 'straße'];

/**
 * Generates the set. Defaults: Cranfield's size (1,400 documents, 225 queries) and 60 topics.
 */
export function generateGoldenSet(o: { seed: number; documents?: number; queries?: number; topics?: number }): GeneratedGoldenSet {
  const r = random(o.seed);
  const nDocs = o.documents ?? 1400;
  const nQueries = o.queries ?? 225;
  const nTopics = o.topics ?? 60;
  const taken = new Set<string>(GENERAL);
  const general = [...GENERAL, ...inventWords(r, 160, taken)];
  const generalIndex = zipf(general.length, 1.05);
  const topics: Topic[] = Array.from({ length: nTopics }, () => ({
    words: inventWords(r, 18, taken),
    subtopics: Array.from({ length: between(r, 4, 7) }, () => inventWords(r, 9, taken)),
  }));
  const topicIndex = zipf(nTopics, 0.5);
  const inflect = (w: string) => w + pick(r, SUFFIXES);

  const word = (t: Topic, s: string[]): string => {
    const x = r();
    if (x < 0.42) return general[generalIndex(r)]!;
    if (x < 0.72) return inflect(pick(r, t.words));
    if (x < 0.95) return inflect(pick(r, s));
    const other = topics[Math.floor(r() * topics.length)]!;
    return inflect(pick(r, other.words));
  };
  const sentence = (t: Topic, s: string[], n: number) => {
    const ws = Array.from({ length: n }, () => word(t, s));
    return `${ws[0]!.charAt(0).toUpperCase()}${ws[0]!.slice(1)} ${ws.slice(1).join(' ')}.`;
  };

  interface Placed {
    doc: GeneratedDocument;
    topic: number;
    sub: number;
    /** The word stems the document holds (for judging). */
    stems: Set<string>;
  }
  const stemsOf = (text: string, t: Topic) => {
    const vocabulary = new Set([...t.words, ...t.subtopics.flat()]);
    const out = new Set<string>();
    for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
      for (const v of vocabulary) if (w.startsWith(v)) out.add(v);
    }
    return out;
  };
  const placed: Placed[] = [];
  let unicode = 0;
  for (let i = 0; i < nDocs; i++) {
    const number = String(i + 1).padStart(4, '0');
    // About one docno in forty is outside ASCII.
    const docno = r() < 0.025 ? `${UNICODE_STEMS[unicode++ % UNICODE_STEMS.length]}-${number}` : `d${number}`;
    if (placed.length > 20 && r() < 0.08) {
      // An exact duplicate of an earlier document: the same title and text under another docno.
      const original = placed[Math.floor(r() * placed.length)]!;
      placed.push({ ...original, doc: { docno, title: original.doc.title, text: original.doc.text } });
      continue;
    }
    const ti = topicIndex(r);
    const t = topics[ti]!;
    const si = Math.floor(r() * t.subtopics.length);
    const s = t.subtopics[si]!;
    const title = sentence(t, s, between(r, 4, 10)).slice(0, -1);
    const length = Math.round(Math.exp(4.3 + 0.45 * (r() + r() + r() - 1.5))); // about 40 to 260 words
    const sentences: string[] = [];
    for (let left = length; left > 0; ) {
      const n = Math.min(left, between(r, 8, 22));
      sentences.push(sentence(t, s, n));
      left -= n;
    }
    const text = sentences.join(' ');
    placed.push({ doc: { docno, title, text }, topic: ti, sub: si, stems: stemsOf(`${title} ${text}`, t) });
  }

  const queries = new Map<string, string>();
  const qrels = new Map<string, Map<string, number>>();
  for (let q = 0; q < nQueries; q++) {
    const qid = `Q${String(q + 1).padStart(3, '0')}`;
    // A query asks about a sub-topic that has documents.
    const anchor = placed[Math.floor(r() * placed.length)]!;
    const t = topics[anchor.topic]!;
    const s = t.subtopics[anchor.sub]!;
    const n = between(r, 3, 9);
    const asked = new Set<string>();
    const words: string[] = [];
    for (let i = 0; i < n; i++) {
      const x = r();
      const w = x < 0.5 ? pick(r, s) : x < 0.85 ? pick(r, t.words) : general[generalIndex(r)]!;
      if (x < 0.85) asked.add(w);
      words.push(x < 0.85 ? inflect(w) : w);
    }
    queries.set(qid, words.join(' '));

    const judged = new Map<string, number>();
    const overlap = (p: Placed) => [...asked].filter((w) => p.stems.has(w)).length;
    const sameSub = placed.filter((p) => p.topic === anchor.topic && p.sub === anchor.sub);
    const best = Math.max(1, ...sameSub.map(overlap));
    for (const p of sameSub) judged.set(p.doc.docno, overlap(p) >= Math.ceil(best * 0.75) ? 3 : 2);
    // Close documents of the same topic, other sub-topics: marginally relevant.
    const sameTopic = placed
      .filter((p) => p.topic === anchor.topic && p.sub !== anchor.sub)
      .map((p) => ({ p, o: overlap(p) }))
      .filter((x) => x.o > 0)
      .sort((a, b) => b.o - a.o || (a.p.doc.docno < b.p.doc.docno ? -1 : 1))
      .slice(0, between(r, 1, 5));
    for (const { p } of sameTopic) judged.set(p.doc.docno, 1);
    // Judged and found not relevant: documents of other topics that share a general word or two.
    for (let i = 0; i < between(r, 2, 6); i++) {
      const p = placed[Math.floor(r() * placed.length)]!;
      if (p.topic !== anchor.topic && !judged.has(p.doc.docno)) judged.set(p.doc.docno, 0);
    }
    qrels.set(qid, judged);
  }
  return { seed: o.seed, documents: placed.map((p) => p.doc), queries, qrels };
}

/** Writes the set in shipgate's golden-set files (documents.jsonl, queries.tsv, qrels.txt). */
export function writeGoldenSet(dir: string, set: GeneratedGoldenSet): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'documents.jsonl'), set.documents.map((d) => JSON.stringify(d)).join('\n') + '\n');
  writeFileSync(join(dir, 'queries.tsv'), [...set.queries].map(([qid, text]) => `${qid}\t${text}`).join('\n') + '\n');
  const lines: string[] = [];
  for (const [qid, judged] of set.qrels) for (const [docno, grade] of judged) lines.push(`${qid} 0 ${docno} ${grade}`);
  writeFileSync(join(dir, 'qrels.txt'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'README.md'), `Generated by bench/search-golden-set.ts with seed ${set.seed}: ${set.documents.length} documents, ${set.queries.size} queries, ${lines.length} judgments.\n`);
}
