// The control plane's REST API (/v1), as documented in docs/control-plane-api.md. Every call carries the access
// token held in memory by auth.ts; every error answer is an RFC 9457 problem that the page shows as it came.

export interface FieldProblem {
  field: string;
  message: string;
}

export interface Problem {
  title: string;
  status: number;
  detail?: string;
  requestId?: string;
  errors?: FieldProblem[];
}

/** A failed call: the problem detail the API answered, or one made up when the network or the body failed. */
export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.problem = problem;
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

let accessToken: string | null = null;
let onUnauthorized: () => void = () => {};

/** Holds the token in this page's memory only: never in storage, never in a URL. */
export function useToken(token: string | null, unauthorized: () => void): void {
  accessToken = token;
  onUnauthorized = unauthorized;
}

interface CallOptions {
  body?: unknown;
  idempotencyKey?: string;
  accept?: string;
}

async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError({ title: 'The control plane cannot be reached', status: 0, detail: String(e) });
  }
  if (response.ok) return response;
  if (response.status === 401) onUnauthorized();
  throw new ApiError(await problemOf(response));
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    const body = await response.json();
    if (body && typeof body.title === 'string') return body as Problem;
  } catch {
    // not a problem document; described below
  }
  return { title: response.statusText || 'Request failed', status: response.status, detail: `HTTP ${response.status}` };
}

export async function get<T>(path: string): Promise<T> {
  return (await call('GET', path)).json();
}

export async function send<T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
  const response = await call(method, path, { body, idempotencyKey });
  return response.status === 204 ? (undefined as T) : response.json();
}

export async function text(path: string, accept: string): Promise<string> {
  return (await call('GET', path, { accept })).text();
}

/** Query string of the defined values. */
export function query(values: Record<string, string | number | boolean | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const encoded = params.toString();
  return encoded ? `?${encoded}` : '';
}

/** A fresh Idempotency-Key, so that a retried create never creates twice. */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
