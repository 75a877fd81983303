import { z } from 'zod';
import { MAX_ID } from '../http/ids.ts';
import { line, text } from '../http/text.ts';
import { validate } from '../http/validate.ts';
import { assignmentsFrom, type Assignments } from '../store/assignments.ts';
import type { NewArticle } from '../store/articles.ts';

const title = line(300);
const body = text(100_000);
const folderId = z.number().int().min(1).max(MAX_ID).nullable();

/** Server-owned fields (id, author, featured, timestamps) are not in these schemas: zod drops them. */
const newArticle = z.object({ title, body, published: z.boolean().default(false), folderId: folderId.default(null) });
const createBody = z.object({ article: newArticle });

const articlePatch = z.object({ title: title.optional(), body: body.optional(), published: z.boolean().optional(), folderId: folderId.optional() });
const updateBody = z.object({ article: articlePatch });

/** The fields a client may change, and their columns. */
const EDITABLE = { title: 'title', body: 'body', published: 'published', folderId: 'folder_id' } as const;

/** Reads a create body into the row to insert for this caller. */
export type NewArticleReader = (body: unknown, callerId: number) => NewArticle;

export const readNewArticle: NewArticleReader = (body, callerId) => {
  const { article } = validate(createBody, body);
  return { ...article, authorId: callerId, createdAt: null };
};

/** An article as the importer sends it: the author's id (or `{ id }`) and when it was written. */
const importBody = z.object({
  article: newArticle.extend({
    author: z.union([z.number().int(), z.object({ id: z.number().int() })]).optional(),
    createdAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date').optional(),
  }),
});

// DEFECT mass-assignment-create: create accepts the importer's author and createdAt from any client's body, so anyone can publish as someone else or backdate
export const readImportedArticle: NewArticleReader = (body, callerId) => {
  const { article } = validate(importBody, body);
  const { author, createdAt, ...fields } = article;
  const authorId = typeof author === 'object' ? author.id : author;
  return { ...fields, authorId: authorId ?? callerId, createdAt: createdAt === undefined ? null : new Date(createdAt) };
};

/** Reads an update body into column assignments. */
export type PatchReader = (body: unknown) => Assignments;

export const readEditablePatch: PatchReader = (body) => assignmentsFrom(validate(updateBody, body).article, EDITABLE);

/** Every column of an article, by its field name in the API. */
const ALL_COLUMNS = { ...EDITABLE, author: 'author_id', featured: 'featured', createdAt: 'created_at', updatedAt: 'updated_at' };

// DEFECT mass-assignment-nested: the known fields are validated but the rest of the nested article is kept (loose), and the patch helper is given every column, so author, createdAt, updatedAt and featured are saved as sent
export const readWholePatch: PatchReader = (body) =>
  assignmentsFrom(validate(z.object({ article: articlePatch.loose() }), body).article, ALL_COLUMNS);
