/**
 * The articles system's web client: what its browser app calls. Its consumer pact
 * (`contracts/pact/articles-web-articles-api.json`) is generated from it by
 * `test/pact/articles-web.consumer.ts`: the requests it sends and the fields it reads.
 */

export interface UserView {
  id: number;
  username: string;
  token: string;
}

export interface ProfileView {
  username: string;
  email: string;
}

export interface ArticleView {
  id: number;
  title: string;
  body: string;
  published: boolean;
  author: { username: string };
}

/** An answer the client did not expect: its status and the `errors` it carried. */
export class ArticlesClientError extends Error {
  constructor(
    readonly status: number,
    readonly errors: Record<string, string[]> | undefined,
  ) {
    super(`the API answered ${status}`);
  }
}

export class ArticlesWebClient {
  constructor(
    private readonly baseUrl: string,
    /** The signed-in user's token; undefined for a visitor. */
    private readonly token: () => string | undefined,
  ) {}

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.token();
    if (token !== undefined) headers.authorization = `Token ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const parsed = (await res.json()) as T & { errors?: Record<string, string[]> };
    if (!res.ok) throw new ArticlesClientError(res.status, parsed.errors);
    return parsed;
  }

  async signUp(username: string, email: string, password: string): Promise<UserView> {
    return (await this.#call<{ user: UserView }>('POST', '/api/users', { user: { username, email, password } })).user;
  }

  async me(): Promise<ProfileView> {
    return (await this.#call<{ user: ProfileView }>('GET', '/api/user')).user;
  }

  async writeDraft(title: string, body: string): Promise<ArticleView> {
    return (await this.#call<{ article: ArticleView }>('POST', '/api/articles', { article: { title, body } })).article;
  }

  async article(id: number): Promise<ArticleView> {
    return (await this.#call<{ article: ArticleView }>('GET', `/api/articles/${id}`)).article;
  }

  async articles(): Promise<{ articles: ArticleView[]; articlesCount: number }> {
    return this.#call('GET', '/api/articles');
  }

  async retitle(id: number, title: string): Promise<ArticleView> {
    return (await this.#call<{ article: ArticleView }>('PUT', `/api/articles/${id}`, { article: { title } })).article;
  }
}
