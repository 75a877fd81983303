import type { ApiOperation } from '../openapi/operations.ts';
import type { JsonSchema } from '../provider-double/json-schema.ts';
import { fieldCall, findProperty, objectOf, typeOf } from './schema-code.ts';

const SIZE = /^(limit|page_?size|pageSize|per_?page|perPage|size|count|max_?results|maxResults|first)$/;
const OFFSET = /^(offset|skip|start)$/;
const PAGE = /^(page|page_?number|pageNumber|p)$/;
const CURSOR = /^(cursor|after|starting_?after|startingAfter|page_?token|pageToken|next_?token|nextToken|continuation(_?token)?|from)$/;
const NEXT = /^(next_?cursor|nextCursor|next_?page_?token|nextPageToken|next_?token|nextToken|cursor|next|end_?cursor|endCursor|continuation(_?token)?)$/;
const TOTAL = /^(total|total_?count|totalCount|count|.+Count|.+_count|total_?results|totalResults)$/;

/**
 * How a list pages, from its query parameters and its answer: offset + limit (with the total the
 * answer reports, else until an empty page), a cursor the answer hands back, or a page number.
 * Returns the profile's `pageSize` / `next` lines, or the question to ask.
 */
export function listPaging(op: ApiOperation, answer: JsonSchema | undefined): { fields: string[]; todo?: string } {
  const query = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const size = query.find((q) => SIZE.test(q));
  const offset = query.find((q) => OFFSET.test(q));
  const page = query.find((q) => PAGE.test(q));
  const cursor = query.find((q) => CURSOR.test(q));
  const fields = size ? [`pageSize: (n) => \`${size}=\${n}\``] : [];
  const items = typeOf(answer) === 'array' ? undefined : Object.entries(objectOf(answer)?.properties ?? {}).find(([, p]) => typeOf(p) === 'array')?.[0];
  const itemsOf = items ? `${fieldCall([items])}(b)` : '(b as unknown[])';
  if (offset) {
    const total = Object.entries(objectOf(answer)?.properties ?? {}).find(([n, p]) => TOTAL.test(n) && (typeOf(p) === 'integer' || typeOf(p) === 'number'))?.[0];
    fields.push(total ? `next: (b, seen) => (seen < ${fieldCall([total])}(b) ? \`${offset}=\${seen}\` : null)` : `next: (b, seen) => (${itemsOf}.length > 0 ? \`${offset}=\${seen}\` : null)`);
    return { fields };
  }
  if (cursor) {
    const next = findProperty(answer, (n, p) => NEXT.test(n) && typeOf(p) !== 'object' && typeOf(p) !== 'array', 2);
    if (next) {
      fields.push(`next: (b) => (${fieldCall(next)}(b) ? \`${cursor}=\${encodeURIComponent(String(${fieldCall(next)}(b)))}\` : null)`);
      return { fields };
    }
    return { fields, todo: `the list takes ?${cursor}=: where is the next page's ${cursor} in the answer? next: (b) => (b.<where> ? \`${cursor}=\${b.<where>}\` : null)` };
  }
  if (page) {
    // Pages of one size: the page number follows from how many items were seen; a short page is the last.
    fields.push(`next: (b, seen) => { const n = ${itemsOf}.length; return n === 0 || seen % n !== 0 ? null : \`${page}=\${seen / n + 1}\`; }`);
    return { fields, todo: `does ?${page}= count from 1? (the draft asks page 2 after the first)` };
  }
  // No paging parameter at all: the whole list comes in one answer.
  if (!size) return { fields };
  return { fields, todo: 'does this list come in pages? If so, how is the next page asked for? next: (b, seen) => query string or null (a Link header cannot be read yet: then leave next out)' };
}
