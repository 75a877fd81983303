import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleCacheDir, moduleCacheForRun } from '../../harness/runner/module-cache.ts';

describe('the folder vitest keeps transformed suite modules in between runs', () => {
  it('is a folder of this user\'s cache that only this user can enter', () => {
    const home = mkdtempSync(join(tmpdir(), 'shipgate-cache-'));
    const dir = moduleCacheDir({ XDG_CACHE_HOME: home, SHIPGATE_MODULE_CACHE: '1' });
    expect(dir).toBe(join(home, 'shipgate', 'vitest-modules'));
    expect(statSync(dir!).mode & 0o777).toBe(0o700);
  });

  it('is used only when asked for: runs at the same time that share it break each other', () => {
    const home = mkdtempSync(join(tmpdir(), 'shipgate-cache-'));
    expect(moduleCacheDir({ XDG_CACHE_HOME: home })).toBeUndefined();
    expect(moduleCacheDir({ XDG_CACHE_HOME: home, SHIPGATE_MODULE_CACHE: '0' })).toBeUndefined();
  });

  it('is not used when others may write to it (they could plant code)', () => {
    const home = mkdtempSync(join(tmpdir(), 'shipgate-cache-'));
    const dir = join(home, 'shipgate', 'vitest-modules');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    expect(moduleCacheDir({ XDG_CACHE_HOME: home, SHIPGATE_MODULE_CACHE: '1' })).toBeUndefined();
    chmodSync(dir, 0o700);
    expect(moduleCacheDir({ XDG_CACHE_HOME: home, SHIPGATE_MODULE_CACHE: '1' })).toBe(dir);
  });

  it('is not used when it cannot be made', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'shipgate-cache-')), 'a-file');
    writeFileSync(file, '');
    expect(moduleCacheDir({ XDG_CACHE_HOME: file, SHIPGATE_MODULE_CACHE: '1' })).toBeUndefined();
  });
});

describe("a run's module cache across its test-runner passes", () => {
  const home = () => mkdtempSync(join(tmpdir(), 'shipgate-cache-'));
  const made: string[] = [];
  const makeOwn = () => {
    made.push('own');
    return '/run/own-modules';
  };

  it('is one of its own for a run of more than one pass (removed by the run), none for a single pass', () => {
    made.length = 0;
    expect(moduleCacheForRun({ passes: 2, makeOwn, env: { XDG_CACHE_HOME: home() } })).toEqual({ dir: '/run/own-modules', own: true });
    expect(moduleCacheForRun({ passes: 1, makeOwn, env: { XDG_CACHE_HOME: home() } })).toEqual({});
    expect(made).toEqual(['own']);
  });

  it("is the caller's (a selftest lane's) or the user's when there is one, never one of its own", () => {
    made.length = 0;
    expect(moduleCacheForRun({ given: '/lane/0', passes: 2, makeOwn, env: { SHIPGATE_MODULE_CACHE: '1', XDG_CACHE_HOME: home() } })).toEqual({ dir: '/lane/0' });
    const h = home();
    expect(moduleCacheForRun({ passes: 2, makeOwn, env: { SHIPGATE_MODULE_CACHE: '1', XDG_CACHE_HOME: h } })).toEqual({ dir: join(h, 'shipgate', 'vitest-modules') });
    expect(made).toEqual([]);
  });

  it('is none at all with SHIPGATE_MODULE_CACHE=0, even one a caller gives', () => {
    made.length = 0;
    expect(moduleCacheForRun({ given: '/lane/0', passes: 3, makeOwn, env: { SHIPGATE_MODULE_CACHE: '0' } })).toEqual({});
    expect(made).toEqual([]);
  });
});
