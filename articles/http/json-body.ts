import type { FastifyInstance } from 'fastify';
import { httpError } from './errors.ts';

/**
 * JSON is the only body this API reads; an empty body is no body, whatever its content type
 * (`POST /api/articles/1/feature` with `content-type: application/json` and nothing else is
 * fine, and so is a client that labels its empty body text/plain). Anything else is a 415.
 */
export function jsonBodiesOnly(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, done);
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    if (body.toString() === '') return done(null, undefined);
    done(httpError(415, 'content-type', 'must be application/json'), undefined);
  });
}
