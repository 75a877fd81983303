import { request } from 'undici';
import { existsSync } from 'node:fs';

/**
 * Whether a Docker engine answers (not just the client binary): `GET /_ping` on the socket or
 * DOCKER_HOST, within a short deadline. testcontainers is only tried when this is true.
 */
export async function dockerEngineAnswers(timeoutMs = 1_500): Promise<{ ok: boolean; detail: string }> {
  const host = process.env.DOCKER_HOST;
  let url: string;
  let socketPath: string | undefined;
  if (host?.startsWith('tcp://')) {
    url = `http://${host.slice('tcp://'.length)}/_ping`;
  } else {
    socketPath = host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
    if (!existsSync(socketPath)) return { ok: false, detail: `no Docker socket at ${socketPath}` };
    url = 'http://localhost/_ping';
  }
  try {
    const { Agent } = await import('undici');
    const dispatcher = new Agent({ connect: { timeout: timeoutMs, ...(socketPath ? { socketPath } : {}) } });
    const res = await request(url, { dispatcher, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const body = await res.body.text();
    await dispatcher.close();
    return res.statusCode === 200 ? { ok: true, detail: `engine answered at ${socketPath ?? host}` } : { ok: false, detail: `engine answered ${res.statusCode}: ${body}` };
  } catch (err) {
    return { ok: false, detail: `nothing answers at ${socketPath ?? host} (${(err as Error).message})` };
  }
}
