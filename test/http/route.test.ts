import { describe, expect, it } from 'vitest';
import { fillPath, pathPattern, templateParams } from '../../harness/http/route.ts';
import { fillRoute, routeParameters } from '../../harness/inventory/request-path.ts';

describe('route templates', () => {
  it('knows placeholders with any name OpenAPI allows ({item-id}, {file.name}), and fills them', () => {
    expect(templateParams('/items/{item-id}/files/{file.name}')).toEqual(['item-id', 'file.name']);
    expect(fillPath('/items/{item-id}', { 'item-id': 'a b' })).toBe('/items/a%20b');
    expect(fillRoute('/items/{item-id}?q={the-query}', { 'item-id': '7', 'the-query': 'x' })).toBe('/items/7?q=x');
    expect(routeParameters({ method: 'GET', path: '/items/{item-id}' }, undefined)).toEqual([{ name: 'item-id' }]);
    expect(() => fillPath('/items/{item-id}', {})).toThrow('no value for {item-id}');
  });

  it('matches request paths one segment per placeholder, its query ignored, a trailing slash allowed', () => {
    const p = pathPattern('/v1/docs/{parent}/notes/{note-id}?full=1', ['parent']);
    expect(p.exec('/v1/docs/d1/notes/n2')?.groups).toEqual({ parent: 'd1' });
    expect(p.test('/v1/docs/d1/notes/n2/')).toBe(true);
    expect(p.test('/v1/docs/d1/notes')).toBe(false);
    expect(p.test('/v1/docs/d1/x/notes/n2')).toBe(false);
    expect(pathPattern('/v1/a.b').test('/v1/aXb')).toBe(false);
  });
});
