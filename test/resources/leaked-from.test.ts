import { describe, expect, it } from 'vitest';
import { containsToken } from '../../harness/generate/sample.ts';
import { leakedFrom, type ResourceItem } from '../../harness/resources/resource-api.ts';

const item = (id: string, markers: string[]) => ({ resource: 'document', id, owner: {} as ResourceItem['owner'], created: {}, markers }) as ResourceItem;

describe('recognising an item in an answer', () => {
  it('finds a marker or an id where it stands as itself', () => {
    const items = [item('6f1c2a9e-0b7d-4c1e-9a51-3d2f8e7c6b5a', ['sg-title-ab12-5'])];
    expect(leakedFrom('{"title":"sg-title-ab12-5 Lorem"}', items)).toEqual(['sg-title-ab12-5']);
    expect(leakedFrom('{"id":"6f1c2a9e-0b7d-4c1e-9a51-3d2f8e7c6b5a"}', items)).toEqual(['6f1c2a9e-0b7d-4c1e-9a51-3d2f8e7c6b5a']);
    // A slug made from the title still shows the marker.
    expect(leakedFrom('{"slug":"sg-title-ab12-5-lorem"}', items)).toEqual(['sg-title-ab12-5']);
  });

  it('never takes a later marker or a longer number for it (marker -5 inside -51, id 123456 inside 1234567)', () => {
    const items = [item('123456', ['sg-title-ab12-5'])];
    expect(leakedFrom('{"id":1234567,"title":"sg-title-ab12-51 Lorem"}', items)).toEqual([]);
    expect(leakedFrom('{"id":9123456}', items)).toEqual([]);
    expect(leakedFrom('{"id":123456}', items)).toEqual(['123456']);
    expect(containsToken('sg-a-1-50 and sg-a-1-5', 'sg-a-1-5')).toBe(true);
  });
});
