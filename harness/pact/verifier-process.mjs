// Runs pact-core's verifier in a process of its own: the native core prints its transcript on
// stdout (shipgate keeps it as a log) and could take a process down with it if it crashed. The
// options come on stdin (they may hold a broker token: never on disk or in argv); the result goes
// to file descriptor 3 as JSON: { ok, json } when the verifier ran, { ok: false, message } else.
import { writeSync } from 'node:fs';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const options = JSON.parse(Buffer.concat(chunks).toString());
const answer = (value) => writeSync(3, JSON.stringify(value));
try {
  const { default: pact } = await import('@pact-foundation/pact-core');
  const json = await pact.verifyPacts(options);
  answer({ ok: true, json: String(json) });
} catch (err) {
  answer({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
