import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClientError, ReferenceWebClient } from '../../reference/web/api-client.ts';
import { checkPactFile, PACT_DIR, scratchDir } from './pact-files.ts';

const { eachLike, uuid, regex, integer, boolean, string, date, fromProviderState, nullValue } = MatchersV3;

/**
 * The reference's web client as a pact consumer: each interaction is what one screen of the app
 * asks and the fields it reads. The pact is written to a scratch folder and compared with the
 * committed one in contracts/pact/; `npm run contracts:pact` rewrites the committed one.
 */
const CONSUMER = 'reference-web';
const PROVIDER = 'reference-api';

const EXAMPLE_ID = '8b5f3d2a-6c41-4e0b-9a57-0d2c6f1e4b93';
const bearer = { authorization: regex(/^Bearer \S+$/, 'Bearer example-token') };
const client = (url: string, token: string | undefined = 'example-token') => new ReferenceWebClient(url, () => token);
const day = () => date('yyyy-MM-dd', '2030-01-15');
const errorBody = { error: { code: string('not_found'), message: string('document not found') } };

/** Declares the consumer tests; `consumers.pact.test.ts` runs them (see there why in one file). */
export function referenceWebConsumer(): void {
  const scratch = scratchDir();
  const pact = new PactV4({ consumer: CONSUMER, provider: PROVIDER, dir: scratch, logLevel: 'error' });

  describe('the reference web client (consumer reference-web of provider reference-api)', () => {
    it('signs a new user in: the first sign-in makes the user and the org', async () => {
      await pact
        .addInteraction()
        .given('a user who has never signed in')
        .uponReceiving('a first sign-in')
        .withRequest('POST', '/auth/sync-user', (b) => b.headers(bearer))
        .willRespondWith(200, (b) => b.jsonBody({ user_id: uuid(EXAMPLE_ID), org_id: uuid(EXAMPLE_ID), created: boolean(true) }))
        .executeTest(async (mock) => {
          const synced = await client(mock.url).syncUser();
          expect(synced.org_id).toBe(EXAMPLE_ID);
        });
    });

    it("shows the signed-in user's profile", async () => {
      await pact
        .addInteraction()
        .given('a signed-in user')
        .uponReceiving("the signed-in user's profile")
        .withRequest('GET', '/auth/me', (b) => b.headers(bearer))
        .willRespondWith(200, (b) =>
          b.jsonBody({ user: { id: uuid(EXAMPLE_ID), role: string('admin') }, org: { id: uuid(EXAMPLE_ID), name: string("ana@example.com's org") }, needs_onboarding: boolean(true) }),
        )
        .executeTest(async (mock) => {
          expect((await client(mock.url).me()).org.id).toBe(EXAMPLE_ID);
        });
    });

    it('sends a visitor without a token to sign in', async () => {
      await pact
        .addInteraction()
        .uponReceiving('a profile request without a token')
        .withRequest('GET', '/auth/me')
        .willRespondWith(401, (b) => b.jsonBody({ error: { code: string('token_missing'), message: string('no bearer token') } }))
        .executeTest(async (mock) => {
          await expect(client(mock.url, undefined).me()).rejects.toMatchObject({ status: 401 });
        });
    });

    it('signs out a user whose account was disabled', async () => {
      await pact
        .addInteraction()
        .given('a signed-in user whose account was disabled')
        .uponReceiving("a disabled user's profile request")
        .withRequest('GET', '/auth/me', (b) => b.headers(bearer))
        .willRespondWith(401, (b) => b.jsonBody({ error: { code: string('user_disabled'), message: string('this account is disabled') } }))
        .executeTest(async (mock) => {
          await expect(client(mock.url).me()).rejects.toBeInstanceOf(ApiClientError);
        });
    });

    it('adds, lists, reads and deletes documents', async () => {
      await pact
        .addInteraction()
        .given('a signed-in user')
        .uponReceiving('adding a document')
        .withRequest('POST', '/v1/documents', (b) => b.headers(bearer).jsonBody({ title: string('Roadmap'), body: string('Ship the importer in Q3.') }))
        .willRespondWith(201, (b) => b.jsonBody({ id: uuid(EXAMPLE_ID), title: string('Roadmap'), body: string('Ship the importer in Q3.'), created_at: string('2030-01-15T09:30:00.000+00:00') }))
        .executeTest(async (mock) => {
          expect((await client(mock.url).addDocument('Roadmap', 'Ship the importer in Q3.')).id).toBe(EXAMPLE_ID);
        });
      await pact
        .addInteraction()
        .given('a document exists')
        .uponReceiving('listing documents')
        .withRequest('GET', '/v1/documents', (b) => b.headers(bearer))
        .willRespondWith(200, (b) => b.jsonBody({ items: eachLike({ id: uuid(EXAMPLE_ID), title: string('Roadmap') }), next_cursor: nullValue() }))
        .executeTest(async (mock) => {
          expect((await client(mock.url).documents()).items[0]?.id).toBe(EXAMPLE_ID);
        });
      await pact
        .addInteraction()
        .given('a document exists')
        .uponReceiving('reading a document')
        .withRequest('GET', fromProviderState('/v1/documents/${documentId}', `/v1/documents/${EXAMPLE_ID}`), (b) => b.headers(bearer))
        .willRespondWith(200, (b) => b.jsonBody({ id: fromProviderState('${documentId}', EXAMPLE_ID), title: string('Roadmap'), body: string('Ship the importer in Q3.'), created_at: string('2030-01-15T09:30:00.000+00:00') }))
        .executeTest(async (mock) => {
          expect((await client(mock.url).document(EXAMPLE_ID)).title).toBe('Roadmap');
        });
      await pact
        .addInteraction()
        .given('a signed-in user')
        .uponReceiving('reading a document that is not there')
        .withRequest('GET', '/v1/documents/00000000-0000-4000-8000-000000000000', (b) => b.headers(bearer))
        .willRespondWith(404, (b) => b.jsonBody(errorBody))
        .executeTest(async (mock) => {
          await expect(client(mock.url).document('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
        });
      await pact
        .addInteraction()
        .given('a document exists')
        .uponReceiving('deleting a document')
        .withRequest('DELETE', fromProviderState('/v1/documents/${documentId}', `/v1/documents/${EXAMPLE_ID}`), (b) => b.headers(bearer))
        .willRespondWith(204)
        .executeTest(async (mock) => {
          await client(mock.url).deleteDocument(EXAMPLE_ID);
        });
    });

    it('captures a thought and shows the tasks taken from it', async () => {
      await pact
        .addInteraction()
        .given('a signed-in user')
        .uponReceiving('capturing a thought')
        .withRequest('POST', '/v1/capture/thought', (b) => b.headers(bearer).jsonBody({ text: string('Call Ana about the Q3 roadmap tomorrow.') }))
        .willRespondWith(200, (b) =>
          b.jsonBody({ capture_id: uuid(EXAMPLE_ID), fallback: boolean(false), tasks: eachLike({ id: uuid(EXAMPLE_ID), title: string('Call Ana'), priority: integer(2) }, 0) }),
        )
        .executeTest(async (mock) => {
          expect((await client(mock.url).captureThought('Call Ana about the Q3 roadmap tomorrow.')).capture_id).toBe(EXAMPLE_ID);
        });
    });

    it('asks a question about the documents', async () => {
      await pact
        .addInteraction()
        .given('a document about a topic exists', { topic: 'importer' })
        .uponReceiving('asking a question')
        .withRequest('POST', '/v1/query/ask', (b) => b.headers(bearer).jsonBody({ question: string('When do we ship the importer?') }))
        .willRespondWith(200, (b) =>
          b.jsonBody({ answer: string('In Q3.'), sources: eachLike({ document_id: uuid(EXAMPLE_ID), title: string('Roadmap') }), fallback: boolean(false) }),
        )
        .executeTest(async (mock) => {
          expect((await client(mock.url).ask('When do we ship the importer?')).sources[0]?.document_id).toBe(EXAMPLE_ID);
        });
    });

    it("plans the day and shows today's plan", async () => {
      const plan = { date: day(), items: eachLike({ position: integer(1), title: string('Review the roadmap'), minutes: integer(30) }), summary: string('One thing today.'), fallback: boolean(false) };
      await pact
        .addInteraction()
        .given('a signed-in user')
        .uponReceiving("refreshing the day's plan")
        .withRequest('POST', '/v1/plan/refresh', (b) => b.headers(bearer).jsonBody({ focus: string('the release') }))
        .willRespondWith(200, (b) => b.jsonBody(plan))
        .executeTest(async (mock) => {
          expect((await client(mock.url).refreshPlan('the release')).items).toHaveLength(1);
        });
      await pact
        .addInteraction()
        .given('a plan for today exists')
        .uponReceiving("today's plan")
        .withRequest('GET', '/v1/plan/today', (b) => b.headers(bearer))
        .willRespondWith(200, (b) => b.jsonBody(plan))
        .executeTest(async (mock) => {
          expect((await client(mock.url).todayPlan()).items[0]?.title).toBe('Review the roadmap');
        });
    });

    it('syncs the documents for search and shows the sync status', async () => {
      await pact
        .addInteraction()
        .given('a document exists')
        .uponReceiving('syncing the documents')
        .withRequest('POST', '/v1/sync/openai', (b) => b.headers(bearer))
        .willRespondWith(200, (b) => b.jsonBody({ provider: string('openai'), status: regex(/^(completed|failed)$/, 'completed'), indexed: integer(1), pending: integer(0) }))
        .executeTest(async (mock) => {
          expect((await client(mock.url).sync('openai')).status).toBe('completed');
        });
      await pact
        .addInteraction()
        .given('a document exists')
        .uponReceiving('the sync status')
        .withRequest('GET', '/v1/sync/openai/status', (b) => b.headers(bearer))
        .willRespondWith(200, (b) => b.jsonBody({ provider: string('openai'), indexed: integer(0), pending: integer(1) }))
        .executeTest(async (mock) => {
          expect((await client(mock.url).syncStatus('openai')).pending).toBe(1);
        });
    });

    it('requests an export, follows it until it is ready, and reads its manifest', async () => {
      await pact
        .addInteraction()
        .given('a document exists')
        .uponReceiving('requesting an export')
        .withRequest('POST', '/v1/exports', (b) => b.headers(bearer).jsonBody({ kind: 'documents' }))
        .willRespondWith(202, (b) => b.jsonBody({ id: uuid(EXAMPLE_ID), status: regex(/^(queued|preparing|ready)$/, 'queued') }))
        .executeTest(async (mock) => {
          expect((await client(mock.url).requestExport()).id).toBe(EXAMPLE_ID);
        });
      await pact
        .addInteraction()
        .given('an export is ready')
        .uponReceiving('an export that is ready')
        .withRequest('GET', fromProviderState('/v1/exports/${exportId}', `/v1/exports/${EXAMPLE_ID}`), (b) => b.headers(bearer))
        .willRespondWith(200, (b) => b.jsonBody({ id: fromProviderState('${exportId}', EXAMPLE_ID), status: 'ready' }))
        .executeTest(async (mock) => {
          expect((await client(mock.url).exportStatus(EXAMPLE_ID)).status).toBe('ready');
        });
      await pact
        .addInteraction()
        .given('an export is ready')
        .uponReceiving('the manifest of a ready export')
        .withRequest('GET', fromProviderState('/v1/exports/${exportId}/manifest', `/v1/exports/${EXAMPLE_ID}/manifest`), (b) => b.headers(bearer))
        .willRespondWith(200, (b) =>
          b.jsonBody({
            export_id: fromProviderState('${exportId}', EXAMPLE_ID),
            sha256: regex(/^[0-9a-f]{64}$/, 'a'.repeat(64)),
            items: eachLike({ id: uuid(EXAMPLE_ID), sha256: regex(/^[0-9a-f]{64}$/, 'b'.repeat(64)) }),
          }),
        )
        .executeTest(async (mock) => {
          expect((await client(mock.url).exportManifest(EXAMPLE_ID)).items).toHaveLength(1);
        });
    });
    afterAll(() => checkPactFile(scratch, CONSUMER, PROVIDER, PACT_DIR));
  });
}
