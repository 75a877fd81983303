import { describeApi, type ApiDescription } from './operations.ts';
import { readOpenApiSource } from './read.ts';
import { validateOpenApi } from './validate.ts';

/**
 * Reads, validates and flattens an OpenAPI 3.x document (JSON or YAML; a file relative to
 * `baseDir`, or an http(s) URL). Throws OpenApiError naming every problem.
 */
export async function loadApiDescription(source: string, baseDir: string): Promise<ApiDescription> {
  const { raw } = await readOpenApiSource(source, baseDir);
  return describeApi(validateOpenApi(raw, source), source);
}
