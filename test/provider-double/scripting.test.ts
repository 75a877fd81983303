import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderDoubleControl } from '../../harness/provider-double/control.ts';
import { pollUntil } from '../../harness/provision/poll.ts';
import { startProviderDouble, type ProviderDouble } from '../../harness/provider-double/server.ts';

let double: ProviderDouble;
let control: ProviderDoubleControl;

beforeAll(async () => {
  double = await startProviderDouble();
  control = new ProviderDoubleControl(double.controlUrl);
});
afterAll(() => double.close());

/** Waits until the double has received the script's call and is holding it. */
const heldOpen = (script: string) =>
  pollUntil(async () => ((await control.calls({ script })).some((c) => c.outcome === 'pending') ? true : undefined), { what: 'the call to be held', deadlineMs: 5_000 });

const extractSchema = {
  type: 'object',
  properties: { tasks: { type: 'array', items: { type: 'object', properties: { title: { type: 'string', minLength: 1 } }, required: ['title'], additionalProperties: false } } },
  required: ['tasks'],
  additionalProperties: false,
};

async function chat(text: string, o: { signal?: AbortSignal; user?: string } = {}) {
  const res = await request(`${double.apiBaseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-secret-value' },
    body: JSON.stringify({
      model: 'm',
      messages: [{ role: 'user', content: text }],
      response_format: { type: 'json_schema', json_schema: { name: 'extract_structured_updates', schema: extractSchema, strict: true } },
      ...(o.user ? { user: o.user } : {}),
    }),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const body = await res.body.text();
  return { status: res.statusCode, body, content: res.statusCode === 200 ? (JSON.parse(body) as { choices: { message: { content: string } }[] }).choices[0]!.message.content : undefined };
}

describe('the provider double, scripted per test and per tenant', () => {
  it('answers with a valid example of the requested schema by default, echoing the prompt', async () => {
    const { status, content } = await chat('Call Ana about the roadmap');
    expect(status).toBe(200);
    expect(JSON.parse(content!)).toEqual({ tasks: [{ title: 'call ana about roadmap' }] });
  });

  it("answers each tenant's calls with that tenant's script, matched by the marker it forwarded", async () => {
    const a = await control.script({ match: { contains: 'tenant-a-marker' }, respond: { type: 'json', value: { tasks: 'not a list' } }, owner: 'test-1' });
    const b = await control.script({ match: { contains: 'tenant-b-marker' }, respond: { type: 'content', text: 'Sure! {"tasks": [' }, owner: 'test-1' });
    expect(JSON.parse((await chat('tenant-a-marker: plan')).content!)).toEqual({ tasks: 'not a list' });
    expect((await chat('tenant-b-marker: plan')).content).toBe('Sure! {"tasks": [');
    expect(JSON.parse((await chat('someone else')).content!)).toHaveProperty('tasks');
    const calls = await control.calls({ owner: 'test-1' });
    expect(calls.map((c) => c.script?.id)).toEqual([a.id, b.id]);
    expect(calls[0]!.request.headers.authorization).toBe('Bearer [redacted]');
    await control.removeOwner('test-1');
    expect(JSON.parse((await chat('tenant-a-marker again')).content!)).toHaveProperty('tasks.0.title');
  });

  it('matches on the operation, the user field and the number of times', async () => {
    await control.script({ match: { op: 'extract_structured_updates', user: 'org-7' }, respond: { type: 'status', status: 500 }, times: 1, owner: 'test-2' });
    expect((await chat('x', { user: 'org-8' })).status).toBe(200);
    expect((await chat('x', { user: 'org-7' })).status).toBe(500);
    expect((await chat('x', { user: 'org-7' })).status).toBe(200); // used up
    await control.removeOwner('test-2');
  });

  it('holds a hung call until it is released, and records how it ended', async () => {
    const hang = await control.script({ match: { contains: 'hang-me' }, respond: { type: 'hang' } });
    const waiting = chat('hang-me please');
    await heldOpen(hang.id);
    expect(await control.release(hang.id)).toBe(1);
    expect((await waiting).status).toBe(503);
    expect((await control.calls({ script: hang.id }))[0]?.outcome).toBe('released');
    await hang.remove();
  });

  it('records a slow call the caller gave up on as client-closed, and never answers it later', async () => {
    const slow = await control.script({ match: { contains: 'slow-one' }, respond: { type: 'default' }, delayMs: 60_000 });
    const abort = new AbortController();
    const waiting = chat('slow-one', { signal: abort.signal }).catch((e: Error) => e);
    await heldOpen(slow.id);
    abort.abort();
    await waiting;
    const [call] = await control.settled({ script: slow.id }, 5_000);
    expect(call).toMatchObject({ outcome: 'client-closed', response: null });
    await slow.remove();
  });

  it('sends a 200 chat envelope with no usable content: no choices, a refusal, a tool call', async () => {
    const envelope = async (shape: 'no-choices' | 'refusal' | 'tool-calls', marker: string) => {
      await control.script({ match: { contains: marker }, respond: { type: 'envelope', shape }, owner: 'test-envelope' });
      const res = await request(`${double.apiBaseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `${marker} plan` }], response_format: { type: 'json_schema', json_schema: { name: 'extract_structured_updates', schema: extractSchema } } }),
      });
      expect(res.statusCode).toBe(200);
      return (await res.body.json()) as { object: string; choices: { message: { content: string | null; refusal?: string | null; tool_calls?: { function: { name: string; arguments: string } }[] }; finish_reason: string }[] };
    };
    const none = await envelope('no-choices', 'envelope-none');
    expect(none).toMatchObject({ object: 'chat.completion', choices: [] });
    const refusal = await envelope('refusal', 'envelope-refusal');
    expect(refusal.choices[0]!.message).toMatchObject({ content: null, refusal: expect.stringMatching(/can't help/) });
    const tool = await envelope('tool-calls', 'envelope-tool');
    expect(tool.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { content: null } });
    expect(tool.choices[0]!.message.tool_calls![0]!.function.name).toBe('extract_structured_updates');
    expect(JSON.parse(tool.choices[0]!.message.tool_calls![0]!.function.arguments)).toHaveProperty('tasks');
    // An envelope is a chat thing: scripted for an embeddings call it is a script mistake, said as such.
    const emb = await request(`${double.apiBaseUrl}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'envelope-none' }), headers: { 'content-type': 'application/json' } });
    expect(emb.statusCode).toBe(400);
    expect(((await emb.body.json()) as { error: { message: string } }).error.message).toMatch(/"envelope" behaviour is for chat calls/);
    await control.removeOwner('test-envelope');
  });

  it('never records credentials: every credential header, registered secret or token-shaped value is blanked', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl';
    await request(`${double.apiBaseUrl}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-key': 'azure-key-123456', 'x-api-key': 'other-key-123456', cookie: 'sid=abcdef', 'x-forwarded-token': jwt },
      body: JSON.stringify({ model: 'm', input: 'redaction-probe' }),
    });
    const [call] = await control.calls({ contains: 'redaction-probe' });
    expect(call!.request.headers).toMatchObject({ 'api-key': '«redacted»', 'x-api-key': '«redacted»', cookie: '«redacted»', 'x-forwarded-token': '«redacted token»' });
    expect(JSON.stringify(call)).not.toMatch(/azure-key|other-key|sid=abc|eyJhbGci/);
  });

  it('refuses a malformed script with the field named', async () => {
    await expect(control.script({ respond: { type: 'status', status: 200 } } as never)).rejects.toThrow(/400.*respond\.status/);
  });

  it('refuses a request that is not an OpenAI request, saying what is wrong', async () => {
    const res = await request(`${double.apiBaseUrl}/embeddings`, { method: 'POST', body: JSON.stringify({ input: 'x' }), headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toMatch(/invalid request: model/);
  });
});
