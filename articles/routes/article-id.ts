import { pathId } from '../http/ids.ts';

/** Reads the `:id` of an article route (articles and their comments). */
export type ArticleIdParser = (raw: string) => number;

export function articleIdParser(defects: ReadonlySet<string>): ArticleIdParser {
  if (defects.has('malformed-id-500')) {
    // DEFECT malformed-id-500: the id is converted, never validated, so "abc" reaches SQL as NaN and PostgreSQL refuses it (22P02)
    return (raw) => Number(raw);
  }
  return (raw) => pathId(raw);
}
