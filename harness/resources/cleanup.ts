import { currentCheckScope } from '../check/check-scope.ts';
import type { ResourceItem } from './resource-api.ts';

/**
 * On a target that is not ephemeral (staging), every item a check creates is deleted again when
 * the check ends, newest first, through the profile's remove route: shipgate cleans up its own
 * data and nothing else. Ephemeral targets are thrown away whole, so nothing is tracked there.
 */
export interface Removal {
  item: ResourceItem;
  remove(): Promise<{ ok: boolean; detail: string }>;
}

/** Tracks an item for removal when the check that created it (its async scope) ends; nothing outside a check or on an ephemeral target. */
export function trackForCleanup(removal: Removal): void {
  currentCheckScope()?.removals?.push(removal);
}

/** Removes what was tracked; returns one line per item that could not be removed. */
export async function cleanUp(removals: Removal[]): Promise<string[]> {
  const failures: string[] = [];
  for (const r of [...removals].reverse()) {
    const outcome = await r.remove().catch((err: unknown) => ({ ok: false, detail: (err as Error).message }));
    if (!outcome.ok) failures.push(`${r.item.owner.label}'s ${r.item.resource} ${r.item.id}: ${outcome.detail}`);
  }
  return failures;
}
