import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isLoopback, startProviderDouble } from '../provider-double/server.ts';
import { UsageError } from './exit-codes.ts';
import { parseIntOption } from './options.ts';

/** The variable that gives the double its control token (else one is made when it listens beyond loopback). */
export const DOUBLE_TOKEN_ENV = 'SHIPGATE_DOUBLE_TOKEN';

export const PROVIDER_DOUBLE_USAGE = `shipgate provider-double [--port n] [--host address] [--dimensions n]

Starts the OpenAI-compatible provider double on its own, until Ctrl-C:
  POST /v1/chat/completions  JSON output (response_format json_schema / json_object); valid answers by default
  POST /v1/embeddings        vectors from a fixed local function (float or base64)
  /_double/...               control API: POST scripts, GET calls, POST release, POST reset
Point your system at the printed /v1 URL (e.g. OPENAI_BASE_URL), and give the same URL to
shipgate in your profile (providerDouble.url) so suites can script it.
  --port        TCP port (default 0: the OS chooses)
  --host        address to listen on (default 127.0.0.1). Beyond loopback (e.g. 0.0.0.0) the control
                API needs a token: ${DOUBLE_TOKEN_ENV}, or one made and printed at start; give it to
                shipgate as providerDouble.controlToken
  --dimensions  vector size when a request does not ask for one (default 256)`;

export async function providerDoubleCommand(argv: string[], log: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string' }, dimensions: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const port = parseIntOption('port', values.port, 0, 0);
  if (port > 65_535) throw new UsageError(`--port must be from 0 to 65535 (got ${port})`);
  const dimensions = parseIntOption('dimensions', values.dimensions, 1, 256);
  const host = values.host ?? '127.0.0.1';
  const given = process.env[DOUBLE_TOKEN_ENV];
  if (given !== undefined && given.length < 16) throw new UsageError(`${DOUBLE_TOKEN_ENV} must be at least 16 characters (got ${given.length})`);
  // Recorded calls hold the system's prompts: beyond this machine, nobody reads them without the token.
  const controlToken = given ?? (isLoopback(host) ? undefined : randomBytes(24).toString('base64url'));
  let double;
  try {
    double = await startProviderDouble({ port, dimensions, host, ...(controlToken ? { controlToken } : {}) });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} is already in use; choose another with --port (0 lets the OS choose)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`--host ${values.host}: cannot listen on that address`);
    throw err;
  }
  log(`provider double listening on ${double.apiBaseUrl} (control: ${double.controlUrl})`);
  if (controlToken && given === undefined) {
    log(`control token: ${controlToken}`);
    log(`  every control request needs Authorization: Bearer <token>; give it to shipgate as providerDouble: { url, controlToken: env('${DOUBLE_TOKEN_ENV}') }`);
  } else if (controlToken) {
    log(`control token: from ${DOUBLE_TOKEN_ENV}`);
  }
  log('press Ctrl-C to stop');
  // Serves until a signal: teardown closes the double and exits.
  return new Promise<number>(() => {});
}
