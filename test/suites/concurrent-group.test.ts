import { expect, test } from 'vitest';
import { defineSuite } from '../../harness/suites/define.ts';

// A concurrent group bounds its checks itself: vitest's own default (5) and a maxConcurrency given
// to startVitest (which never reaches a project) would not be the run's concurrentChecks. Outside
// a run there is no context, so the groups here give their bound: 3, with 2 checks a group, so
// reaching it needs checks of different groups side by side.
const suite = defineSuite({ id: 'example', title: 'example', promise: 'example', kinds: ['ephemeral'], usesApi: false, sharing: 'shared', notApplicable: () => undefined });

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

const AT_ONCE = 3;
for (const group of ['a', 'b', 'c']) {
  suite.concurrently(`group ${group}`, () => {
    for (let i = 0; i < 2; i++) test(`${group}${i}`, body(`${group}${i}`));
  }, AT_ONCE);
}

test('a check after the groups runs once they are all done, and they ran side by side, across groups, never more than the bound', () => {
  expect(started).toHaveLength(6);
  expect(active).toBe(0);
  expect(most).toBe(AT_ONCE);
});
