/**
 * The admin API as the console calls it: the bearer token from this tab's session storage, JSON in and out,
 * and every error answer (application/problem+json) turned into an ApiError that carries its `detail`, so
 * each panel can say what went wrong in the server's words.
 */

const TOKEN_KEY = 'orderstream.ops.token';

export const tokenStore = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** `title: detail` when both say something. */
  describe() {
    const { title, detail } = this.problem;
    return title && detail && title !== detail ? `${title}: ${detail}` : this.message;
  }
}

/** Thrown for a 401: the token is missing or refused; the console asks for another one. */
export class UnauthorizedError extends ApiError {
  constructor(problem) {
    super(401, problem);
    this.name = 'UnauthorizedError';
  }
}

async function problemOf(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object') return body;
  } catch {
    // Not JSON (a proxy's HTML page, say): the status line and the text are all there is.
  }
  return { title: `${response.status} ${response.statusText}`, detail: text.slice(0, 300) || undefined };
}

async function call(method, path, body) {
  const token = tokenStore.get();
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (response.status === 401) throw new UnauthorizedError(await problemOf(response));
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return response.json();
}

const query = (params) => {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== '' && v !== false);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}`;
};

export const api = {
  /** `filter`: { group, errorCode, eventType, includeHandled } */
  deadLetters: (filter) => call('GET', `/api/dead-letters${query(filter)}`),
  deadLetter: (id) => call('GET', `/api/dead-letters/${encodeURIComponent(id)}`),
  redrive: (request) => call('POST', '/api/dead-letters/redrive', request),
  jobs: () => call('GET', '/api/redrive-jobs'),
  resumeJob: (jobId) => call('POST', `/api/redrive-jobs/${encodeURIComponent(jobId)}/resume`),
  groups: () => call('GET', '/api/groups'),
  audit: (limit = 50) => call('GET', `/api/audit${query({ limit })}`),
};
