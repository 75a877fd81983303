import type { Problem } from './consistency.ts';

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined);

/**
 * The launched service a block means: the one it names, else the only launched service with an
 * http block; or why there is none. `services` is `launch.services`.
 */
export function launchedService(services: Record<string, unknown>, named: string | undefined): { service: string } | { error: string } {
  const names = Object.keys(services);
  if (named !== undefined) return names.includes(named) ? { service: named } : { error: `no launched service named '${named}' (launched: ${names.join(', ')})` };
  const http = names.filter((n) => obj(services[n])?.http !== undefined);
  if (http.length === 1) return { service: http[0]! };
  return { error: `the launch block has ${http.length} services with an http block (${http.join(', ')}): name the one to check` };
}

/** Cross-field problems of the health and config blocks (see consistency.ts). */
export function operationsProblems(t: Loose): Problem[] {
  const problems: Problem[] = [];
  const services = obj(obj(t.launch)?.services);
  const health = obj(t.health);
  const config = obj(t.config);
  if (services) {
    for (const [path, named] of [
      [['health', 'faults', 'service'], obj(health?.faults)?.service],
      [['config', 'service'], config?.service],
    ] as const) {
      if (path[0] === 'health' ? !health : !config) continue;
      const found = launchedService(services, typeof named === 'string' ? named : undefined);
      if ('error' in found) problems.push({ path: [...path], message: found.error });
    }
  }
  const report = obj(health?.report);
  const dependencies = obj(report?.dependencies);
  if (typeof report?.database === 'string' && dependencies && !(report.database in dependencies)) {
    problems.push({ path: ['health', 'report', 'database'], message: `no dependency named '${report.database}' in health.report.dependencies (declared: ${Object.keys(dependencies).join(', ')})` });
  }
  return problems;
}
