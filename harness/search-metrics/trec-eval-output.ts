import { MEASURE_NAMES, trecEvalName, type Evaluation } from './measures.ts';
import { formatFixed4 } from './trec-conventions.ts';

/** The `trec_eval` command whose output `formatTrecEvalOutput` reproduces, for a cutoff k. */
export function trecEvalCommand(k: number, qrels = 'qrels.txt', run = 'run.trec'): string {
  return `trec_eval -q -c -m map -m recip_rank -m P.${k} -m recall.${k} -m ndcg_cut.${k} -m success.${k} ${qrels} ${run}`;
}

/**
 * The evaluation as `trec_eval -q -c` prints it (see `trecEvalCommand`): per query, then `all`,
 * each line `%-22s\t%s\t%6.4f`, measures in trec_eval's order, queries in its strcmp order.
 */
export function formatTrecEvalOutput(e: Evaluation): string {
  const line = (name: string, qid: string, value: number) => `${name.padEnd(22)}\t${qid}\t${formatFixed4(value).padStart(6)}`;
  const out: string[] = [];
  for (const [qid, m] of e.queries) for (const name of MEASURE_NAMES) out.push(line(trecEvalName(name, e.k), qid, m[name]));
  for (const name of MEASURE_NAMES) out.push(line(trecEvalName(name, e.k), 'all', e.mean[name]));
  return `${out.join('\n')}\n`;
}
