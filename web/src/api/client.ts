import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import type { ApiErrorBody } from "./types";

/** An answer in the API's error envelope, or a failure to reach the server at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly requestId: string | null;
  /** The answer's Retry-After in seconds, when it had one it could be read as. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, body: Partial<ApiErrorBody> | undefined, retryAfterSeconds: number | null = null) {
    super(body?.message ?? (status === 0 ? "The server could not be reached." : `The server answered ${status}.`));
    this.name = "ApiError";
    this.status = status;
    this.code = body?.code ?? (status === 0 ? "network_error" : `http_${status}`);
    this.details = body?.details ?? null;
    this.requestId = body?.request_id ?? null;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Field problems of a 400 (`{"fields.total": "..."}`), when the server named them. */
  get fieldProblems(): Record<string, string> {
    return this.details && typeof this.details === "object" ? (this.details as Record<string, string>) : {};
  }
}

/** Reads the error envelope of a failed response; tolerates a body that is not one. */
export async function errorFrom(response: Response): Promise<ApiError> {
  let body: { error?: ApiErrorBody } | undefined;
  try {
    body = (await response.json()) as { error?: ApiErrorBody };
  } catch {
    body = undefined;
  }
  return new ApiError(response.status, body?.error, parseRetryAfter(response.headers.get("Retry-After")));
}

/** Retry-After is either whole seconds or an HTTP date (RFC 9110); null when absent or neither. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let csrfToken: string | null = null;

/**
 * Browser sessions are a cookie; unsafe requests also carry the session's CSRF token. The token
 * comes from the login or /auth/me answer, or from a readable cookie, whichever the server gives.
 */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

export function csrfHeaders(method: string): Record<string, string> {
  if (!unsafeMethods.has(method.toUpperCase())) return {};
  const token = csrfToken ?? readCookie("docket_csrf");
  return token ? { "X-CSRF-Token": token } : {};
}

function readCookie(name: string): string | null {
  if (typeof document === "undefined") return null;
  const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

const csrf: Middleware = {
  onRequest({ request }) {
    for (const [name, value] of Object.entries(csrfHeaders(request.method))) request.headers.set(name, value);
    return request;
  },
};

export const api = createClient<paths>({
  baseUrl: typeof window === "undefined" ? "" : window.location.origin,
  credentials: "same-origin",
  // Looked up per call rather than captured once, so whatever fetch the page has at the time is used.
  fetch: (request) => globalThis.fetch(request),
});
api.use(csrf);

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful answer, or an ApiError carrying the envelope of a failed one. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch {
    throw new ApiError(0, undefined);
  }
  if (result.response.ok) return result.data as T;
  const envelope = result.error as { error?: ApiErrorBody } | undefined;
  throw new ApiError(result.response.status, envelope?.error);
}

/** The version a document had when the user loaded it, as If-Match wants it. */
export function ifMatch(version: number): Record<string, string> {
  return { "If-Match": `"${version}"` };
}
