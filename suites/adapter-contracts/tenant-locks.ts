import type { Tenant } from 'shipgate';

/**
 * Keeps trials that share a tenant from overlapping. A trial compares the tenant's stored data
 * before and after its call (the write witness), and the own-documents check reads what a tenant
 * and its neighbour hold: another trial writing for the same tenant meanwhile (its `prepare`, a
 * valid call that stores rows) would look like a partial write or a foreign document that one
 * trial at a time never sees. With `identities.newTenant` every trial has a fresh tenant of its
 * own and no lock is ever waited on; with pre-seeded `identities.tenants` the trials of one tenant
 * take turns, and as many run at once as there are tenants.
 */
export class TenantLocks {
  /** The end of the last holder's turn, by tenant id. */
  readonly #tails = new Map<string, Promise<void>>();

  /**
   * Runs `body` holding every tenant given (the same tenant twice is held once). Tenants are taken
   * in the order of their ids, so two holders of overlapping sets never wait on each other in a
   * circle.
   */
  async hold<T>(tenants: readonly Tenant[], body: () => Promise<T>): Promise<T> {
    const ids = [...new Set(tenants.map((t) => t.principal.tenantId))].sort();
    const releases: (() => void)[] = [];
    try {
      for (const id of ids) releases.push(await this.#take(id));
      return await body();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  async #take(id: string): Promise<() => void> {
    const before = this.#tails.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.#tails.set(id, tail);
    await before;
    return () => {
      release();
      // The last holder leaves no entry behind: a run makes hundreds of fresh tenants.
      if (this.#tails.get(id) === tail) this.#tails.delete(id);
    };
  }
}
