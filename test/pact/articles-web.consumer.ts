import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { afterAll, describe, expect, it } from 'vitest';
import { ArticlesClientError, ArticlesWebClient } from '../../articles/web/api-client.ts';
import { checkPactFile, PACT_DIR, scratchDir } from './pact-files.ts';

const { eachLike, integer, string, boolean, regex, fromProviderState } = MatchersV3;

/**
 * The articles system's web client as a pact consumer, on that system's own conventions:
 * `Authorization: Token`, integer ids, answers wrapped as `{ article }`, errors as `{ errors }`,
 * public reads. Written to a scratch folder and compared with contracts/pact/ (`npm run contracts:pact` rewrites it).
 */
const CONSUMER = 'articles-web';
const PROVIDER = 'articles-api';

const tokenHeader = { authorization: regex(/^Token \S+$/, 'Token example-token') };
const client = (url: string, token: string | undefined = 'example-token') => new ArticlesWebClient(url, () => token);
const article = { id: integer(7), title: string('How we ship'), body: string('Small steps.'), published: boolean(true), author: { username: string('ana') } };
const errors = (field: string, message: string) => ({ errors: { [field]: eachLike(string(message)) } });

/** Declares the consumer tests; `consumers.pact.test.ts` runs them (see there why in one file). */
export function articlesWebConsumer(): void {
  const scratch = scratchDir();
  const pact = new PactV4({ consumer: CONSUMER, provider: PROVIDER, dir: scratch, logLevel: 'error' });

  describe('the articles web client (consumer articles-web of provider articles-api)', () => {
    it('signs a visitor up', async () => {
      await pact
        .addInteraction()
        .given('a name nobody has taken')
        .uponReceiving('signing up')
        .withRequest('POST', '/api/users', (b) =>
          b.jsonBody({ user: { username: fromProviderState('${username}', 'ana'), email: fromProviderState('${email}', 'ana@example.com'), password: string('a-long-password') } }),
        )
        .willRespondWith(201, (b) => b.jsonBody({ user: { id: integer(7), username: string('ana'), token: string('header.claims.signature') } }))
        .executeTest(async (mock) => {
          expect((await client(mock.url, undefined).signUp('ana', 'ana@example.com', 'a-long-password')).id).toBe(7);
        });
    });

    it("shows the signed-in user's profile", async () => {
      await pact
        .addInteraction()
        .given('a signed-in user')
        .uponReceiving('the signed-in user')
        .withRequest('GET', '/api/user', (b) => b.headers(tokenHeader))
        .willRespondWith(200, (b) => b.jsonBody({ user: { username: string('ana'), email: string('ana@example.com') } }))
        .executeTest(async (mock) => {
          expect((await client(mock.url).me()).username).toBe('ana');
        });
    });

    it('writes a draft, and reads and lists published articles without signing in', async () => {
      await pact
        .addInteraction()
        .given('a signed-in user')
        .uponReceiving('writing a draft')
        .withRequest('POST', '/api/articles', (b) => b.headers(tokenHeader).jsonBody({ article: { title: string('How we ship'), body: string('Small steps.') } }))
        .willRespondWith(201, (b) => b.jsonBody({ article: { ...article, published: false } }))
        .executeTest(async (mock) => {
          expect((await client(mock.url).writeDraft('How we ship', 'Small steps.')).published).toBe(false);
        });
      await pact
        .addInteraction()
        .given('a published article exists')
        .uponReceiving('reading a published article as a visitor')
        .withRequest('GET', fromProviderState('/api/articles/${articleId}', '/api/articles/7'))
        .willRespondWith(200, (b) => b.jsonBody({ article: { ...article, id: fromProviderState('${articleId}', 7) } }))
        .executeTest(async (mock) => {
          expect((await client(mock.url, undefined).article(7)).author.username).toBe('ana');
        });
      await pact
        .addInteraction()
        .given('a published article exists')
        .uponReceiving('listing articles as a visitor')
        .withRequest('GET', '/api/articles')
        .willRespondWith(200, (b) => b.jsonBody({ articles: eachLike(article), articlesCount: integer(1) }))
        .executeTest(async (mock) => {
          expect((await client(mock.url, undefined).articles()).articlesCount).toBe(1);
        });
    });

    it("is refused someone else's draft and someone else's article", async () => {
      await pact
        .addInteraction()
        .given("another user's draft exists")
        .uponReceiving("reading another user's draft")
        .withRequest('GET', fromProviderState('/api/articles/${articleId}', '/api/articles/8'), (b) => b.headers(tokenHeader))
        .willRespondWith(404, (b) => b.jsonBody(errors('article', 'not found')))
        .executeTest(async (mock) => {
          await expect(client(mock.url).article(8)).rejects.toMatchObject({ status: 404 });
        });
      await pact
        .addInteraction()
        .given("another user's published article exists")
        .uponReceiving("retitling another user's article")
        .withRequest('PUT', fromProviderState('/api/articles/${articleId}', '/api/articles/9'), (b) => b.headers(tokenHeader).jsonBody({ article: { title: string('Mine now') } }))
        .willRespondWith(403, (b) => b.jsonBody(errors('article', 'forbidden')))
        .executeTest(async (mock) => {
          await expect(client(mock.url).retitle(9, 'Mine now')).rejects.toBeInstanceOf(ArticlesClientError);
        });
    });
    afterAll(() => checkPactFile(scratch, CONSUMER, PROVIDER, PACT_DIR));
  });
}
