import { redactor } from '../http/redact.ts';
import type { TargetProfile } from '../profile/schema.ts';
import type { ProviderDoubleInfo } from '../run/context.ts';
import { LaunchError } from '../provision/processes.ts';
import { startProviderDouble } from './server.ts';

/** `http://host:4010` or `http://host:4010/v1` → the double's API and control URLs. */
export function doubleUrls(url: string): { apiBaseUrl: string; controlUrl: string } {
  const root = url.replace(/\/+$/, '').replace(/\/v1$/, '');
  return { apiBaseUrl: `${root}/v1`, controlUrl: `${root}/_double` };
}

/**
 * The provider double of a run whose system shipgate did not launch: the one the profile names,
 * or one started on the profile's port (the system was configured with that port beforehand).
 */
export async function providerDoubleFor(profile: TargetProfile): Promise<{ info: ProviderDoubleInfo; stop: () => Promise<void> } | undefined> {
  const spec = profile.providerDouble;
  if (!spec) return undefined;
  if ('url' in spec) {
    redactor.register(spec.controlToken, 'provider double control token');
    return { info: { ...doubleUrls(spec.url), started: false, ...(spec.controlToken ? { controlToken: spec.controlToken } : {}) }, stop: async () => {} };
  }
  const double = await startProviderDouble({ port: spec.port }).catch((err: NodeJS.ErrnoException) => {
    throw new LaunchError(
      err.code === 'EADDRINUSE'
        ? `providerDouble.port ${spec.port} is already in use: is a double already running there? Then give providerDouble.url instead`
        : `could not start the provider double on port ${spec.port}: ${err.message}`,
      'spawn',
    );
  });
  return { info: { apiBaseUrl: double.apiBaseUrl, controlUrl: double.controlUrl, started: true }, stop: () => double.close() };
}
