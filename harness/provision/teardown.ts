/**
 * Everything shipgate starts (databases, processes) registers here, so it is torn down at the
 * end of a run, on failure, and on Ctrl-C. `killNow` runs synchronously from the `exit` event,
 * the last chance when the process is going down without waiting for promises.
 */
export interface Resource {
  name: string;
  dispose(): Promise<void>;
  killNow(): void;
}

const live = new Set<Resource>();
let installed = false;

/**
 * Installs the exit and signal handlers. `track` does it too, but the CLI calls it first: a
 * Ctrl-C that lands while a child is being spawned, before it is tracked, would otherwise hit
 * Node's default action (die at once) and leave that child running.
 */
export function installTeardown(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const r of live) {
      try {
        r.killNow();
      } catch {
        // Already gone; nothing left to do at exit.
      }
    }
  });
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      if (live.size > 0) process.stderr.write(`\nshipgate: ${signal} received, stopping ${liveResources().join(', ')}...\n`);
      void disposeAll().finally(() => process.exit(code));
    });
  }
}

export function track(resource: Resource): () => void {
  installTeardown();
  live.add(resource);
  return () => live.delete(resource);
}

/** Disposes every live resource, newest first; never throws. */
export async function disposeAll(): Promise<void> {
  for (const r of [...live].reverse()) {
    try {
      await r.dispose();
    } catch (err) {
      process.stderr.write(`shipgate: could not stop ${r.name} cleanly: ${(err as Error).message}\n`);
      r.killNow();
    }
    live.delete(r);
  }
}

export function liveResources(): string[] {
  return [...live].map((r) => r.name);
}
