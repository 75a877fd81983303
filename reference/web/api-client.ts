/**
 * The reference's web client: what its browser app calls, typed by the answers it reads. Its
 * consumer pact (`contracts/pact/`) is generated from it by `test/pact/reference-web.consumer.ts`,
 * so the pact holds exactly the requests this client sends and the fields it relies on.
 */

export interface Synced {
  user_id: string;
  org_id: string;
  created: boolean;
}

export interface Me {
  user: { id: string; email: string | null; role: string };
  org: { id: string; name: string };
  needs_onboarding: boolean;
}

export interface DocumentView {
  id: string;
  title: string;
  body: string;
  created_at: string;
}

export interface DocumentPage {
  items: { id: string; title: string }[];
  next_cursor: string | null;
}

export interface CaptureView {
  capture_id: string | null;
  fallback: boolean;
  tasks: { id: string; title: string; priority: number }[];
}

export interface AnswerView {
  answer: string;
  sources: { document_id: string; title: string }[];
  fallback: boolean;
}

export interface PlanView {
  date: string;
  items: { position: number; title: string; minutes: number }[];
  summary: string;
  fallback: boolean;
}

export interface SyncView {
  provider: string;
  status: 'completed' | 'failed';
  indexed: number;
  pending: number;
}

export interface SyncStatusView {
  provider: string;
  indexed: number;
  pending: number;
}

export interface ExportView {
  id: string;
  status: 'queued' | 'preparing' | 'ready' | 'failed';
}

export interface ManifestView {
  export_id: string;
  sha256: string;
  items: { id: string; sha256: string }[];
}

/** An answer the client did not expect: its status and body, for the app's error screen. */
export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`the API answered ${status}`);
  }
}

export class ReferenceWebClient {
  constructor(
    private readonly baseUrl: string,
    /** The signed-in user's token, or undefined before sign-in. */
    private readonly token: () => string | undefined,
  ) {}

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.token();
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!res.ok) throw new ApiClientError(res.status, parsed);
    return parsed as T;
  }

  syncUser(): Promise<Synced> {
    return this.#call('POST', '/auth/sync-user');
  }

  me(): Promise<Me> {
    return this.#call('GET', '/auth/me');
  }

  addDocument(title: string, body: string): Promise<DocumentView> {
    return this.#call('POST', '/v1/documents', { title, body });
  }

  document(id: string): Promise<DocumentView> {
    return this.#call('GET', `/v1/documents/${encodeURIComponent(id)}`);
  }

  documents(): Promise<DocumentPage> {
    return this.#call('GET', '/v1/documents');
  }

  async deleteDocument(id: string): Promise<void> {
    await this.#call('DELETE', `/v1/documents/${encodeURIComponent(id)}`);
  }

  captureThought(text: string): Promise<CaptureView> {
    return this.#call('POST', '/v1/capture/thought', { text });
  }

  ask(question: string): Promise<AnswerView> {
    return this.#call('POST', '/v1/query/ask', { question });
  }

  refreshPlan(focus: string): Promise<PlanView> {
    return this.#call('POST', '/v1/plan/refresh', { focus });
  }

  todayPlan(): Promise<PlanView> {
    return this.#call('GET', '/v1/plan/today');
  }

  sync(provider: string): Promise<SyncView> {
    return this.#call('POST', `/v1/sync/${encodeURIComponent(provider)}`);
  }

  syncStatus(provider: string): Promise<SyncStatusView> {
    return this.#call('GET', `/v1/sync/${encodeURIComponent(provider)}/status`);
  }

  requestExport(): Promise<ExportView> {
    return this.#call('POST', '/v1/exports', { kind: 'documents' });
  }

  exportStatus(id: string): Promise<ExportView> {
    return this.#call('GET', `/v1/exports/${encodeURIComponent(id)}`);
  }

  exportManifest(id: string): Promise<ManifestView> {
    return this.#call('GET', `/v1/exports/${encodeURIComponent(id)}/manifest`);
  }
}
