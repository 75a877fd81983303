import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTarget } from '../../harness/check/target.ts';
import { verifyProvider, type PactRun } from '../../harness/pact/verify-provider.ts';
import { defineTarget } from '../../harness/profile/define.ts';
import { validateProfile } from '../../harness/profile/load.ts';
import { startFakeBroker, type FakeBroker } from './fake-broker.ts';
import { startNotesApi, type NotesApi } from './notes-api.ts';
import { NOTES_PACTS } from './notes.consumer.ts';

const pacts = NOTES_PACTS;
let api: NotesApi | undefined;
let broker: FakeBroker | undefined;

afterEach(async () => {
  await api?.close();
  await broker?.close();
  api = undefined;
  broker = undefined;
});

async function verify(o: { rename?: boolean; pact?: Record<string, unknown>; ephemeralDatabase?: string } = {}): Promise<PactRun> {
  api = await startNotesApi({ rename: o.rename ?? false });
  const profile = validateProfile(
    defineTarget({
      name: 'notes',
      kind: o.ephemeralDatabase ? 'ephemeral' : 'staging',
      http: { baseUrls: [api.url] },
      ...(o.ephemeralDatabase ? { database: { url: o.ephemeralDatabase } } : {}),
      identities: {
        transport: { scheme: 'Token' },
        newTenant: async ({ http }) => {
          const made = await http.json<{ user: { token: string } }>('POST', '/users');
          return { tenantId: made.user.token.slice(0, 8), token: made.user.token };
        },
      },
      pact: {
        provider: 'notes-api',
        files: [pacts],
        states: {
          'a note exists': async ({ http, params }) => ({ noteId: (await http.json<{ note: { id: number } }>('POST', '/notes', { body: { note: { text: String(params.text) } } })).note.id }),
          'a visitor': async ({ sendAs }) => sendAs(null),
          'a state whose hook fails': async () => {
            throw new Error('the fixture service is down');
          },
          'a note written in the database': async ({ sql }) => void (await sql('INSERT INTO notes DEFAULT VALUES')),
        },
        ...o.pact,
      },
    }),
    'notes.config.ts',
  );
  const reports = mkdtempSync(join(tmpdir(), 'shipgate-notes-reports-'));
  return verifyProvider(createTarget(profile, { configPath: join(pacts, 'notes.config.ts'), seed: 1, runs: 1, iterations: 1, baseUrls: [api.url], reportsDir: reports, replayCommand: '', concurrentChecks: 1 }));
}

const byName = (run: PactRun, description: string) => run.interactions.find((i) => i.verdict.description === description)!;

describe('the pact suite on a provider that is not the reference', () => {
  it("verifies each consumer's interactions with real credentials in the provider's own scheme, and says which could not be set up and why", async () => {
    const run = await verify();
    expect(run.error).toBeUndefined();
    expect(run.interactions.map((i) => [i.verdict.consumer, i.verdict.description, i.verdict.passed])).toEqual([
      ['notes-cli', 'a note in a state that cannot be made', false],
      ['notes-cli', 'a note in an undeclared state', false],
      ['notes-cli', 'a note made in the database', false],
      ['notes-cli', 'a visitor reading a note', true],
      ['notes-web', 'adding a note', true],
      ['notes-web', 'reading a note', true],
    ]);
    // The pact's example token never reached the provider; each interaction went as a tenant of its own.
    expect(api!.seen.filter((s) => s.auth === 'Token example')).toEqual([]);
    const read = byName(run, 'reading a note');
    expect(read.record?.states).toEqual([{ name: 'a note exists', params: { text: 'hello' } }]);
    expect(read.record?.exchange?.request.url).toMatch(/\/notes\/\d+$/);
    expect(read.record?.exchange?.request.headers.authorization).toMatch(/^Token «tenant-\d+ token»$/);
    expect(byName(run, 'a visitor reading a note').record?.exchange?.request.headers.authorization).toBeUndefined();
    expect(byName(run, 'a note in an undeclared state').record?.states[0]?.error).toBe("the profile has no hook for provider state 'a state nobody declared': declare pact.states['a state nobody declared']");
    expect(byName(run, 'a note in a state that cannot be made').record?.states[0]?.error).toBe('the fixture service is down');
    expect(byName(run, 'a note in a state that cannot be made').record?.notSent).toBe("provider state 'a state whose hook fails' could not be set up");
    // Not sent on: the provider saw no request for them.
    expect(api!.seen.filter((s) => s.method === 'GET' && s.path === '/notes/1')).toHaveLength(1); // the visitor's
    expect(byName(run, 'a note made in the database').record?.states[0]?.error).toBe(
      "a state hook reaches the database only on ephemeral targets; this one is 'staging': set the state up through the API",
    );
    const log = readFileSync(run.logFile, 'utf8');
    expect(log).toContain('Verifying a pact between notes-cli and notes-api');
  });

  it('names the interaction, the field and the exchange when the provider renames a field its consumers read', async () => {
    const run = await verify({ rename: true });
    const read = byName(run, 'reading a note');
    expect(read.verdict.passed).toBe(false);
    expect(read.verdict.mismatches).toContainEqual(expect.objectContaining({ type: 'BodyMismatch', path: '$.note', mismatch: expect.stringContaining('missing the following keys: text') }));
    expect(read.record?.exchange?.response?.body).toContain('"body":"hello"');
    expect(JSON.stringify(run)).not.toMatch(new RegExp([...api!.tokens].join('|')));
    expect(byName(run, 'adding a note').verdict.passed).toBe(false);
    expect(byName(run, 'a visitor reading a note').verdict.passed).toBe(true);
  });

  it("opens a state hook's SQL connection like every other one: the error names the host and the state, never the password", async () => {
    const run = await verify({ ephemeralDatabase: 'postgres://notes:pw-not-for-reports-42@127.0.0.1:1/notes', pact: { consumers: ['notes-cli'] } });
    const error = byName(run, 'a note made in the database').record?.states[0]?.error;
    expect(error).toMatch(/^cannot connect to 127\.0\.0\.1:1\/notes for pact state 'a note written in the database': /);
    expect(JSON.stringify(run)).not.toContain('pw-not-for-reports-42');
  });

  it('keeps to the consumers it is given, and says when no pact names the provider', async () => {
    const web = await verify({ pact: { consumers: ['notes-web'] } });
    expect(web.interactions.map((i) => i.verdict.description)).toEqual(['adding a note', 'reading a note']);
    expect(web.notes).toContainEqual(expect.stringMatching(/notes-cli-notes-api\.json: consumer 'notes-cli' is not in pact.consumers$/));
    await api!.close();
    const none = await verify({ pact: { provider: 'billing-api' } });
    expect(none.error).toBe("no interaction to verify: no pact in pact.files names provider 'billing-api'");
    expect(readdirSync(pacts).sort()).toEqual(['notes-cli-notes-api.json', 'notes-web-notes-api.json']);
  });
});

describe('the pact suite with a Pact Broker', () => {
  const BROKER_TOKEN = 'broker-token-0123456789abcdef';
  const webPact = () => JSON.parse(readFileSync(join(pacts, 'notes-web-notes-api.json'), 'utf8')) as Record<string, unknown>;

  it('fetches the pacts with the broker token and publishes no result unless asked', async () => {
    broker = await startFakeBroker({ provider: 'notes-api', pacts: [webPact()], token: BROKER_TOKEN });
    const run = await verify({ pact: { files: undefined, broker: { url: broker.url, token: BROKER_TOKEN } } });
    expect(run.error).toBeUndefined();
    expect(run.interactions.map((i) => [i.verdict.description, i.verdict.passed])).toEqual([
      ['adding a note', true],
      ['reading a note', true],
    ]);
    expect(broker.calls.every((c) => c.authorization === `Bearer ${BROKER_TOKEN}`)).toBe(true);
    expect(broker.calls.filter((c) => c.path.endsWith('/verification-results'))).toEqual([]);
    expect(run.notes).toContain('verifying pact 0 from the fake broker');
    expect(JSON.stringify(run)).not.toContain(BROKER_TOKEN);
  });

  it('publishes the result with the provider version when the profile asks, failures included', async () => {
    broker = await startFakeBroker({ provider: 'notes-api', pacts: [webPact()], token: BROKER_TOKEN });
    const run = await verify({ rename: true, pact: { files: undefined, broker: { url: broker.url, token: BROKER_TOKEN }, publish: { providerVersion: '1.4.2', branch: 'main' } } });
    expect(run.interactions.every((i) => !i.verdict.passed)).toBe(true);
    const published = broker.calls.filter((c) => c.path === '/pacts/0/verification-results');
    expect(published).toHaveLength(1);
    expect(published[0]!.body).toMatchObject({ success: false, providerApplicationVersion: '1.4.2' });
    expect(run.notes).toContain(`verification results published to ${broker.url} as provider version 1.4.2`);
  });

  it('fails, saying so, when the results the profile asked to publish were not published', async () => {
    // A broker that cannot record the provider's branch: the verifier drops the publication and still passes.
    broker = await startFakeBroker({ provider: 'notes-api', pacts: [webPact()], token: BROKER_TOKEN, noBranches: true });
    const run = await verify({ pact: { files: undefined, broker: { url: broker.url, token: BROKER_TOKEN }, publish: { providerVersion: '1.4.2', branch: 'main' } } });
    expect(run.error).toMatch(/^pact.publish: the verification results were not published: .*pb:branch-version/);
    expect(broker.calls.filter((c) => c.path.endsWith('/verification-results'))).toEqual([]);
  });

  it('says why when the broker refuses the token', async () => {
    broker = await startFakeBroker({ provider: 'notes-api', pacts: [webPact()], token: BROKER_TOKEN });
    const run = await verify({ pact: { files: undefined, broker: { url: broker.url, token: 'wrong-token-0123456789' } } });
    expect(run.interactions).toEqual([]);
    expect(run.error).toMatch(/^the Pact verifier could not load the pacts at http:\/\/127\.0\.0\.1:\d+: .*401 Unauthorized/);
  });
});
