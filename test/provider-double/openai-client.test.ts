import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rewritePlanV1 } from '../../contracts/provider/rewrite-plan.ts';
import { embed } from '../../harness/provider-double/embedding-function.ts';
import { ProviderDoubleControl } from '../../harness/provider-double/control.ts';
import { pollUntil } from '../../harness/provision/poll.ts';
import { freePort } from '../../harness/provision/ports.ts';
import { ROOT } from '../support/cli.ts';

// The double as a user runs it, `npx shipgate provider-double --port N`, called by the real client.
describe('shipgate provider-double, started alone, with the openai client library', () => {
  let child: ChildProcess;
  let output = '';
  let port: number;
  let client: OpenAI;

  beforeAll(async () => {
    port = await freePort();
    child = spawn(process.execPath, [join(ROOT, 'bin', 'shipgate.js'), 'provider-double', '--port', String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await pollUntil(async () => (output.includes('listening on') ? true : undefined), { what: 'the provider double to print its URL', deadlineMs: 30_000 });
    client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'sk-not-a-real-key', maxRetries: 0 });
  });

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints the base URL to give the system and the control URL', () => {
    expect(output).toContain(`provider double listening on http://127.0.0.1:${port}/v1 (control: http://127.0.0.1:${port}/_double)`);
  });

  it('answers a structured-output chat call with JSON that fits the schema it was sent', async () => {
    const completion = await client.chat.completions.create({
      model: 'double-chat',
      messages: [
        { role: 'system', content: 'You plan days.' },
        { role: 'user', content: 'Plan the release checklist and the demo' },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'rewrite_plan', schema: z.toJSONSchema(rewritePlanV1, { io: 'input' }) as Record<string, unknown>, strict: true } },
    });
    expect(completion.object).toBe('chat.completion');
    const content = completion.choices[0]?.message.content ?? '';
    const plan = rewritePlanV1.parse(JSON.parse(content));
    expect(plan.today_plan.length).toBeGreaterThan(0);
    expect(plan.today_plan[0]?.title).toMatch(/release|checklist|demo|plan/);
  });

  it('answers embeddings with the fixed local function, base64 (the client default) and float alike', async () => {
    const inputs = ['machine learning basics', 'how to authenticate API requests'];
    const viaBase64 = await client.embeddings.create({ model: 'double-embedding', input: inputs });
    const viaFloat = await client.embeddings.create({ model: 'double-embedding', input: inputs, encoding_format: 'float', dimensions: 64 });
    expect(viaBase64.data.map((d) => d.index)).toEqual([0, 1]);
    expect(viaBase64.data[0]!.embedding).toHaveLength(256);
    expect(viaBase64.data[0]!.embedding).toEqual(embed(inputs[0]!, 256));
    expect(viaFloat.data[1]!.embedding).toEqual(embed(inputs[1]!, 64));
  });

  it('is scriptable through its control API while the client calls it', async () => {
    const control = new ProviderDoubleControl(`http://127.0.0.1:${port}/_double`);
    const script = await control.script({ match: { contains: 'marker-429' }, respond: { type: 'status', status: 429, headers: { 'retry-after': '1' } } });
    await expect(client.embeddings.create({ model: 'double-embedding', input: 'text with marker-429' })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const answered = await client.embeddings.create({ model: 'double-embedding', input: 'text without the marker' });
    expect(answered.data).toHaveLength(1);
    const calls = await control.calls({ script: script.id });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ kind: 'embeddings', op: 'embeddings', outcome: 'answered', response: { status: 429 } });
    expect(calls[0]!.request.headers.authorization).toBe('Bearer [redacted]');
  });

  it('stops on Ctrl-C', async () => {
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));
    expect(code).toBe(130);
  });
});
