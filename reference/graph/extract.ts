/** Words that start sentences and questions more often than they name anything. */
const NOT_NAMES = new Set(['A', 'An', 'And', 'But', 'Can', 'Did', 'Do', 'For', 'He', 'How', 'I', 'If', 'In', 'It', 'Let', 'My', 'On', 'Our', 'She', 'So', 'The', 'They', 'This', 'To', 'We', 'What', 'When', 'Where', 'Who', 'Why', 'You']);
const NAME = /\b[A-Z][\p{L}\p{N}-]*(?:\s+[A-Z][\p{L}\p{N}-]*)*/gu;

/**
 * The graph of one message: the names it mentions (runs of capitalised words, e.g. "Ana",
 * "Q3 Roadmap") as nodes, and every pair of them as an edge. Deterministic, so a retried job
 * writes what the first attempt would have.
 */
const MAX_EDGES = 500;

export function extractGraph(text: string): { nodes: string[]; edges: [string, string][] } {
  const names = new Set<string>();
  for (const match of text.matchAll(NAME)) {
    const words = match[0].split(/\s+/).filter((w, i) => i > 0 || !NOT_NAMES.has(w));
    const name = words.join(' ').slice(0, 200);
    if (name !== '') names.add(name);
  }
  const nodes = [...names].sort();
  // The first 500 pairs in order, built no further: a long message names thousands of people,
  // and all their pairs would not fit in a worker's memory.
  const edges: [string, string][] = [];
  for (let i = 0; i < nodes.length && edges.length < MAX_EDGES; i++) {
    for (let j = i + 1; j < nodes.length && edges.length < MAX_EDGES; j++) edges.push([nodes[i]!, nodes[j]!]);
  }
  return { nodes, edges };
}
