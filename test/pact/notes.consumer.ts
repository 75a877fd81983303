import { join } from 'node:path';
import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { afterAll, describe, it } from 'vitest';
import { checkPactFile, scratchDir } from './pact-files.ts';

/** Where the notes pacts are kept: fixtures of test/pact/verify-provider.test.ts, a provider that is not the reference. */
export const NOTES_PACTS = join(import.meta.dirname, '..', 'fixtures', 'pacts');

const { integer, string, regex, fromProviderState } = MatchersV3;
const token = { authorization: regex(/^Token \S+$/, 'Token example') };
const noteBody = { note: { id: integer(1), text: string('hello') } };

/** Two consumers' pacts with a notes API on its own conventions (Token auth, integer ids, wrapped answers). */
async function writePacts(webDir: string, cliDir: string): Promise<void> {
  const web = new PactV4({ consumer: 'notes-web', provider: 'notes-api', dir: webDir, logLevel: 'error' });
  await web
    .addInteraction()
    .given('a note exists', { text: 'hello' })
    .uponReceiving('reading a note')
    .withRequest('GET', fromProviderState('/notes/${noteId}', '/notes/1'), (b) => b.headers(token))
    .willRespondWith(200, (b) => b.jsonBody(noteBody))
    .executeTest(async (mock) => void (await fetch(`${mock.url}/notes/1`, { headers: { authorization: 'Token example' } })));
  await web
    .addInteraction()
    .uponReceiving('adding a note')
    .withRequest('POST', '/notes', (b) => b.headers(token).jsonBody({ note: { text: string('hello') } }))
    .willRespondWith(201, (b) => b.jsonBody(noteBody))
    .executeTest(async (mock) => void (await fetch(`${mock.url}/notes`, { method: 'POST', headers: { authorization: 'Token example', 'content-type': 'application/json' }, body: JSON.stringify({ note: { text: 'hello' } }) })));
  const cli = new PactV4({ consumer: 'notes-cli', provider: 'notes-api', dir: cliDir, logLevel: 'error' });
  await cli
    .addInteraction()
    .given('a visitor')
    .uponReceiving('a visitor reading a note')
    .withRequest('GET', '/notes/1', (b) => b.headers(token))
    .willRespondWith(401, (b) => b.jsonBody({ errors: { token: [string('is missing or invalid')] } }))
    .executeTest(async (mock) => void (await fetch(`${mock.url}/notes/1`, { headers: { authorization: 'Token example' } })));
  for (const [state, description] of [
    ['a state nobody declared', 'a note in an undeclared state'],
    ['a state whose hook fails', 'a note in a state that cannot be made'],
    ['a note written in the database', 'a note made in the database'],
  ] as const) {
    await cli
      .addInteraction()
      .given(state)
      .uponReceiving(description)
      .withRequest('GET', '/notes/1', (b) => b.headers(token))
      .willRespondWith(200, (b) => b.jsonBody(noteBody))
      .executeTest(async (mock) => void (await fetch(`${mock.url}/notes/1`, { headers: { authorization: 'Token example' } })));
  }
}


/** Declares the notes consumers' test; `consumers.pact.test.ts` runs it. */
export function notesConsumers(): void {
  describe('two consumers of a notes API on its own conventions (the pact suite\'s test fixtures)', () => {
    const web = scratchDir();
    const cli = scratchDir();
    it('writes their pacts', async () => {
      await writePacts(web, cli);
    });
    afterAll(() => {
      checkPactFile(web, 'notes-web', 'notes-api', NOTES_PACTS);
      checkPactFile(cli, 'notes-cli', 'notes-api', NOTES_PACTS);
    });
  });
}
