import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { request } from 'undici';
import { parse as parseYaml } from 'yaml';
import { noAnswerWords } from '../http/network-error.ts';

/** Where an OpenAPI document is problematic, field by field (`paths./x.get.responses`). */
export interface OpenApiProblem {
  path: string;
  message: string;
}

/** The OpenAPI document cannot be used: every problem is listed, each naming its place. */
export class OpenApiError extends Error {
  constructor(
    readonly source: string,
    readonly problems: OpenApiProblem[],
  ) {
    super(
      `the OpenAPI document ${source} cannot be used (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.path || '(document)'}: ${p.message}`).join('\n'),
    );
  }
}

export const isUrl = (source: string) => /^https?:\/\//i.test(source);

const FETCH_TIMEOUT_MS = 10_000;

/**
 * Reads an OpenAPI document, JSON or YAML, from a file (relative to `baseDir`) or an http(s) URL.
 * Returns the parsed value, not yet validated.
 */
export async function readOpenApiSource(source: string, baseDir: string): Promise<{ raw: unknown; where: string }> {
  if (isUrl(source)) {
    let res;
    try {
      res = await request(source, { headersTimeout: FETCH_TIMEOUT_MS, bodyTimeout: FETCH_TIMEOUT_MS, headers: { accept: 'application/json, application/yaml;q=0.9, */*;q=0.5' } });
    } catch (err) {
      throw new OpenApiError(source, [{ path: '', message: `GET ${source} ${noAnswerWords(err, FETCH_TIMEOUT_MS)}` }]);
    }
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode > 299) {
      throw new OpenApiError(source, [{ path: '', message: `GET ${source} answered ${res.statusCode}, not the document` }]);
    }
    const type = String(res.headers['content-type'] ?? '');
    return { raw: parseText(text, source, /ya?ml/i.test(type) || /\.ya?ml$/i.test(new URL(source).pathname) ? 'yaml' : 'guess'), where: source };
  }
  const file = resolve(baseDir, source);
  if (!existsSync(file)) throw new OpenApiError(source, [{ path: '', message: `file not found (looked at ${file})` }]);
  const ext = extname(file).toLowerCase();
  return { raw: parseText(readFileSync(file, 'utf8'), source, ext === '.yaml' || ext === '.yml' ? 'yaml' : ext === '.json' ? 'json' : 'guess'), where: file };
}

function parseText(text: string, source: string, as: 'json' | 'yaml' | 'guess'): unknown {
  if (as !== 'yaml') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      if (as === 'json') throw new OpenApiError(source, [{ path: '', message: `not valid JSON: ${(err as Error).message}` }]);
    }
  }
  try {
    return parseYaml(text, { maxAliasCount: 1_000 }) as unknown;
  } catch (err) {
    throw new OpenApiError(source, [{ path: '', message: `neither JSON nor YAML: ${(err as Error).message.split('\n')[0]}` }]);
  }
}
