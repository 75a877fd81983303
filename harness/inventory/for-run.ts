import { dirname, resolve } from 'node:path';
import { loadApiDescription } from '../openapi/load.ts';
import type { ApiDescription } from '../openapi/operations.ts';
import { OpenApiError } from '../openapi/read.ts';
import { ProfileError } from '../profile/load.ts';
import type { TargetProfile } from '../profile/schema.ts';
import { routeInventory, type RouteInventory } from './route-inventory.ts';

/**
 * The run's route inventory, read once before anything starts: the profile's OpenAPI document
 * (relative to the profile) and the classification of its operations. A document that cannot be
 * read, and a `routes` entry that names nothing, are profile errors.
 */
export async function inventoryForRun(profile: TargetProfile, configPath: string): Promise<{ api?: ApiDescription; inventory: RouteInventory }> {
  let api: ApiDescription | undefined;
  if (profile.openapi) {
    try {
      api = await loadApiDescription(profile.openapi, dirname(resolve(configPath)));
    } catch (err) {
      if (err instanceof OpenApiError) throw new ProfileError(configPath, [{ path: 'openapi', message: err.message }]);
      throw err;
    }
  }
  const inventory = routeInventory(profile, api);
  if (inventory.problems.length > 0) throw new ProfileError(configPath, inventory.problems);
  return { ...(api ? { api } : {}), inventory };
}
