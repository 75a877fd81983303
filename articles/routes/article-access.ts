import type { Principal } from '../auth/authenticator.ts';
import { HttpError, httpError } from '../http/errors.ts';
import { toArticle, type ArticleRow } from '../store/articles.ts';

/** Whether the caller may update or delete this article. */
export type WritePolicy = (article: ArticleRow, caller: Principal) => boolean;

export const authorOnly: WritePolicy = (article, caller) => article.author_id === caller.id;

// DEFECT owner-check-missing: "may write" only asks whether there is a signed-in caller; the author check was forgotten
export const anySignedIn: WritePolicy = (_article, caller) => caller.id > 0;

/** The 403 of a refused update or delete. */
export type Denial = (article: ArticleRow) => HttpError;

/** Says no, and nothing about the article. */
export const plainDenial: Denial = () => httpError(403, 'article', 'forbidden');

// DEFECT denied-body-leak: the 403 carries the article, "to help the client show what it was"
export const denialWithArticle: Denial = (article) => new HttpError(403, { article: ['forbidden'] }, {}, { article: toArticle(article) });
