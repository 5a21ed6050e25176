import type {
  ApiErrorBody,
  Page,
  ProjectView,
  RunDetailView,
  RunView,
} from '@autocoder/shared-contracts';
import { FINISHED_RUN_STATUSES } from '@autocoder/shared-contracts';
import { waitFor } from '@autocoder/server-test-support';

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** A thin fetch wrapper for tests: JSON in, JSON out, never throws on 4xx/5xx. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON; keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T>(path: string) {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }

  error(res: ApiResponse<unknown>): ApiErrorBody {
    return res.body as ApiErrorBody;
  }

  async createProject(
    name: string,
    spec: string,
    start = true,
    headers?: Record<string, string>,
  ): Promise<ProjectView> {
    const res = await this.post<ProjectView>('/api/v1/projects', { name, spec, start }, headers);
    if (res.status !== 201)
      throw new Error(`create project answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async onlyRun(projectId: string): Promise<RunView> {
    const res = await this.get<Page<RunView>>(`/api/v1/projects/${projectId}/runs`);
    if (res.body.items.length !== 1)
      throw new Error(`expected one run, got ${res.body.items.length}`);
    return res.body.items[0];
  }

  /** Waits until the project's single run has finished, and returns it with its events. */
  async finishedRun(projectId: string, timeoutMs = 60_000): Promise<RunDetailView> {
    const run = await waitFor(
      'the run to finish',
      async () => {
        const r = await this.onlyRun(projectId);
        return FINISHED_RUN_STATUSES.includes(r.status) ? r : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    );
    return (await this.get<RunDetailView>(`/api/v1/runs/${run.id}`)).body;
  }
}
