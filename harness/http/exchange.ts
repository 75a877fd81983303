/** One request and what came back, as recorded (secrets already redacted). */
export interface Exchange {
  /** What the exchange was for, in words: "tenant-2 reads tenant-1's document". */
  label?: string;
  /** Which API instance (index into the base URLs) answered. */
  instance: number;
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body: string };
  /** A network-level failure (refused, reset, timeout) instead of a response. */
  error?: string;
  ms: number;
}

const EVIDENCE_BODY_LIMIT = 4_000;

function clip(body: string): string {
  return body.length > EVIDENCE_BODY_LIMIT
    ? `${body.slice(0, EVIDENCE_BODY_LIMIT)}… (${body.length - EVIDENCE_BODY_LIMIT} more characters)`
    : body;
}

const SHOWN_RESPONSE_HEADERS = ['content-type', 'location', 'www-authenticate', 'x-trace-id', 'retry-after'];

/** Renders an exchange like an HTTP transcript, for messages and reports. */
export function formatExchange(x: Exchange): string {
  const lines: string[] = [];
  if (x.label) lines.push(`# ${x.label}`);
  lines.push(`> ${x.request.method} ${x.request.url}`);
  for (const [k, v] of Object.entries(x.request.headers)) {
    if (k !== 'content-length' && k !== 'user-agent') lines.push(`> ${k}: ${v}`);
  }
  if (x.request.body) lines.push(`> ${clip(x.request.body)}`);
  if (x.error) {
    lines.push(`< (no response: ${x.error}, after ${x.ms} ms)`);
  } else if (x.response) {
    lines.push(`< ${x.response.status} (${x.ms} ms)`);
    // CORS verdicts rest on the access-control headers: every one is shown, with Vary.
    const cors = Object.keys(x.response.headers).filter((h) => h.startsWith('access-control-') || h === 'vary').sort();
    for (const name of [...SHOWN_RESPONSE_HEADERS, ...cors]) {
      const v = x.response.headers[name];
      if (v) lines.push(`< ${name}: ${v}`);
    }
    if (x.response.body) lines.push(`< ${clip(x.response.body)}`);
  }
  return lines.join('\n');
}
