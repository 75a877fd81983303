import { expect, test } from 'vitest';
import { defaultConcurrentChecks } from '../../harness/run/concurrent-checks.ts';
import { defineSuite } from '../../harness/suites/define.ts';

// A concurrent group bounds its checks itself: vitest's own default (5) and a maxConcurrency given
// to startVitest (which never reaches a project) would not be the run's concurrentChecks. Outside
// a run there is no context, so the bound here is the default for this machine's cores.
const suite = defineSuite({ id: 'example', title: 'example', promise: 'example', kinds: ['ephemeral'], usesApi: false, notApplicable: () => undefined });

let active = 0;
let most = 0;
const started: string[] = [];
const body = (name: string) => async () => {
  started.push(name);
  active += 1;
  most = Math.max(most, active);
  await new Promise((resolve) => setTimeout(resolve, 40));
  active -= 1;
};

suite.concurrently('first group', () => {
  for (let i = 0; i < 6; i++) test(`a${i}`, body(`a${i}`));
});
suite.concurrently('second group', () => {
  for (let i = 0; i < 6; i++) test(`b${i}`, body(`b${i}`));
});

test('a check after the groups runs once they are all done, and they ran side by side, across both groups, never more than the bound', () => {
  expect(started).toHaveLength(12);
  expect(active).toBe(0);
  expect(most).toBe(defaultConcurrentChecks());
});
