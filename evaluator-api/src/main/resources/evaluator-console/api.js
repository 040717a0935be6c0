// The Evaluator API as the console uses it. Credentials live in this tab's sessionStorage only (and in memory);
// every request sends them as HTTP Basic, plus X-Requested-With so that a 401 carries no challenge and the browser
// never opens its own credentials dialog.

const STORAGE_KEY = 'evaluator.credentials';
export const LIBRARIES = '/evaluator/v1/libraries';

let authorization = sessionStorage.getItem(STORAGE_KEY);

/** A failed API call: the HTTP status and the server's JSON error (REST shape or query shape). */
export class ApiError extends Error {
  constructor(status, body, fallback) {
    super(messageOf(body) || fallback);
    this.status = status;
    this.body = body || {};
    this.code = this.body.code;
  }
}

function messageOf(body) {
  if (!body || typeof body !== 'object') return '';
  if (typeof body.message === 'string') return body.message;
  if (Array.isArray(body.errors) && body.errors.length) return body.errors.map((e) => e.msg).join('; ');
  return '';
}

export function signedIn() {
  return authorization !== null;
}

export function signIn(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  authorization = 'Basic ' + btoa(String.fromCharCode(...bytes));
  sessionStorage.setItem(STORAGE_KEY, authorization);
}

export function signOut() {
  authorization = null;
  sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * One API call. Resolves with the parsed JSON body (or null), rejects with an ApiError for any non-2xx status.
 * options: query (object of parameters; empty values are left out), body (string), contentType, headers (more
 * request headers), full (resolve with { body, headers } instead of the body alone).
 */
export async function call(method, path, options = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(options.query || {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
  }
  const headers = { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' };
  if (authorization) headers.Authorization = authorization;
  if (options.body !== undefined) headers['Content-Type'] = options.contentType || 'application/json';
  Object.assign(headers, options.headers || {});
  let response;
  try {
    response = await fetch(url, { method, headers, body: options.body, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, null, 'The server cannot be reached: ' + e.message);
  }
  const text = await response.text();
  let body = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch (e) {
      body = null;
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, body, `${method} ${url.pathname} failed with HTTP ${response.status}`);
  }
  return options.full ? { body, headers: response.headers } : body;
}

/** The namespace's query parameters: none for global, bucket and scope for a scoped namespace. */
export function scopeQuery(ns) {
  return ns.global ? {} : { bucket: ns.bucket, scope: ns.scope };
}

export const api = {
  whoami: () => call('GET', '/whoami'),
  libraries: () => call('GET', LIBRARIES, { query: { details: 'true' } }),
  /** A page of the detailed list: { libraries, next }; q filters by name or namespace on the server. */
  libraryPage: ({ limit, cursor, q, ns }) => call('GET', LIBRARIES, {
    query: { details: 'true', limit, cursor, q, ...(ns && !ns.global ? scopeQuery(ns) : {}) },
  }),
  library: (ns, name) => call('GET', `${LIBRARIES}/${encodeURIComponent(name)}`, { query: scopeQuery(ns) }),
  saveLibrary: (ns, name, code, force = false) => call('POST', `${LIBRARIES}/${encodeURIComponent(name)}`,
    { query: { ...scopeQuery(ns), force: force ? 'true' : '' }, body: code, contentType: 'application/javascript' }),
  // The library's code and ETag, for saves that must not overwrite someone else's (If-Match).
  readLibrary: async (ns, name) => {
    const { body, headers } = await call('GET', `${LIBRARIES}/${encodeURIComponent(name)}`,
      { query: scopeQuery(ns), full: true });
    return { code: body[name], etag: headers.get('ETag') };
  },
  // Saves only over the code whose ETag is given (412 precondition_failed otherwise); resolves with the new ETag.
  saveLibraryIfMatch: async (ns, name, code, force, etag) => {
    const { headers } = await call('POST', `${LIBRARIES}/${encodeURIComponent(name)}`, {
      query: { ...scopeQuery(ns), force: force ? 'true' : '' }, body: code, contentType: 'application/javascript',
      headers: etag ? { 'If-Match': etag } : { 'If-None-Match': '*' }, full: true,
    });
    return { etag: headers.get('ETag'), version: headers.get('X-Evaluator-Version') };
  },
  versions: (ns, name) => call('GET', `${LIBRARIES}/${encodeURIComponent(name)}/versions`,
    { query: { ...scopeQuery(ns), limit: 100 } }),
  version: (ns, name, n) => call('GET', `${LIBRARIES}/${encodeURIComponent(name)}/versions/${n}`,
    { query: scopeQuery(ns) }),
  rollback: (ns, name, n, etag) => call('POST', `${LIBRARIES}/${encodeURIComponent(name)}/rollback`, {
    query: scopeQuery(ns), body: JSON.stringify({ version: n }), headers: etag ? { 'If-Match': etag } : {},
  }),
  deleteLibrary: (ns, name) => call('DELETE', `${LIBRARIES}/${encodeURIComponent(name)}`, { query: scopeQuery(ns) }),
  functions: (ns, name) => call('GET', `${LIBRARIES}/${encodeURIComponent(name)}/functions`,
    { query: scopeQuery(ns) }),
  invoke: (ns, name, fn, args) => call('POST',
    `${LIBRARIES}/${encodeURIComponent(name)}/functions/${encodeURIComponent(fn)}/invoke`,
    { query: { ...scopeQuery(ns), log: 'true' }, body: JSON.stringify({ args }) }),
  calls: () => call('GET', '/evaluator/v1/calls'),
  stopCall: (id) => call('DELETE', `/evaluator/v1/calls/${encodeURIComponent(id)}`),
  query: (statement, queryContext, args) => call('POST', '/query/service', {
    body: JSON.stringify({ statement, ...(queryContext ? { query_context: queryContext } : {}), ...(args ? { args } : {}) }),
  }),
};
