import { describe, expect, it } from 'vitest';
import { contentTypeProblem } from '../../reference/evidence/content-type.ts';

describe('evidence content types', () => {
  it('accepts an allowlisted type whose bytes are of that type', () => {
    expect(contentTypeProblem('application/pdf', Buffer.from('%PDF-1.4\n'))).toBeUndefined();
    expect(contentTypeProblem('image/png; charset=binary', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBeUndefined();
  });

  it('refuses a type off the allowlist, naming the allowed ones', () => {
    expect(contentTypeProblem('text/html', Buffer.from('<html>'))).toMatch(/^content type text\/html is not allowed \(allowed: image\/jpeg, /);
  });

  it('refuses a header that the bytes contradict (a script sent as image/png)', () => {
    expect(contentTypeProblem('image/png', Buffer.from('#!/bin/sh\n'))).toBe("the file's bytes are not image/png");
  });

  it('believes the header when told to (the upload-type-spoof defect), never a type off the allowlist', () => {
    expect(contentTypeProblem('image/png', Buffer.from('#!/bin/sh\n'), { trustDeclared: true })).toBeUndefined();
    expect(contentTypeProblem('text/html', Buffer.from('<html>'), { trustDeclared: true })).toMatch(/is not allowed/);
  });
});
