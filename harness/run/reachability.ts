import { Agent, request } from 'undici';
import { noAnswerWords } from '../http/network-error.ts';

/** Nothing answered at a base URL within the deadline; names the address and the cause. */
export class TargetUnreachableError extends Error {}


/**
 * Probes every base URL once, all within one overall deadline: any HTTP answer (even 404) means
 * reachable. A refused or silent address fails fast with what was tried.
 */
export async function assertReachable(baseUrls: string[], probePath: string, deadlineMs = 10_000): Promise<void> {
  const started = Date.now();
  const dispatcher = new Agent({ connect: { timeout: deadlineMs - 500 } });
  try {
    await Promise.all(
      baseUrls.map(async (base) => {
        const url = new URL(probePath, base).toString();
        const remaining = Math.max(500, deadlineMs - (Date.now() - started));
        try {
          const res = await request(url, {
            dispatcher,
            headersTimeout: remaining,
            bodyTimeout: remaining,
            signal: AbortSignal.timeout(remaining),
          });
          await res.body.dump();
        } catch (err) {
          throw new TargetUnreachableError(
            `target unreachable: GET ${url} ${noAnswerWords(err, Date.now() - started)}. ` +
              'Is the system running, and are http.baseUrls in the profile right?',
          );
        }
      }),
    );
  } finally {
    await dispatcher.close();
  }
}
