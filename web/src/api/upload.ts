import { ApiError, csrfHeaders, parseRetryAfter } from "./client";
import type { ApiErrorBody, UploadResponse } from "./types";

export type UploadOptions = {
  /** The same key on every attempt of one file: the server stores it once however often it is sent. */
  idempotencyKey: string;
  onProgress: (fraction: number) => void;
  signal?: AbortSignal;
};

/**
 * Uploads one file with progress. fetch() cannot report upload progress, so this is the one
 * place that uses XMLHttpRequest. One file per request: the server refuses a whole request when
 * any file in it is refused, and the user should see which file and why.
 */
export function uploadFile(file: File, { idempotencyKey, onProgress, signal }: UploadOptions): Promise<UploadResponse> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/v1/documents");
    for (const [name, value] of Object.entries(csrfHeaders("POST"))) request.setRequestHeader(name, value);
    request.setRequestHeader("Idempotency-Key", idempotencyKey);
    request.responseType = "text";
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      if (request.status === 201) {
        onProgress(1);
        resolve(body as UploadResponse);
      } else {
        const retryAfter = parseRetryAfter(request.getResponseHeader("Retry-After"));
        reject(new ApiError(request.status, (body as { error?: ApiErrorBody } | undefined)?.error, retryAfter));
      }
    };
    request.onerror = () => reject(new ApiError(0, { code: "network_error", message: "The upload was interrupted; the server could not be reached." }));
    request.onabort = () => reject(new ApiError(0, { code: "aborted", message: "The upload was cancelled." }));
    signal?.addEventListener("abort", () => request.abort());
    const form = new FormData();
    form.append("files", file, file.name);
    request.send(form);
  });
}

/** The longest the queue waits at once, whatever the server asks: a user watching a page should see it move. */
export const longestWaitSeconds = 60;

/**
 * What a failed attempt means for the file. "wait": the server stored nothing and asked to be
 * asked again later (rate limited, overloaded, or the same key still running from an attempt whose
 * answer was lost); everyWaits when the server is turning away every upload, not only this one.
 * "unreachable": no answer, or a gateway's instead of the server's; the request may or may not
 * have been stored, which the same key makes safe to find out by sending it again.
 * "refused": the server looked at the file and will not take it.
 */
export type UploadFailure =
  | { kind: "wait"; seconds: number; everyWaits: boolean }
  | { kind: "unreachable" }
  | { kind: "refused"; reason: string };

export function classifyUploadFailure(error: unknown): UploadFailure {
  if (!(error instanceof ApiError)) return { kind: "refused", reason: refusalReason(error) };
  const busy = error.status === 429 || error.status === 503;
  const keyInUse = error.status === 409 && error.code === "idempotency_key_in_use";
  if (busy || keyInUse) return { kind: "wait", seconds: askedWaitSeconds(error), everyWaits: busy };
  if (error.status === 0 || error.status === 502 || error.status === 504) return { kind: "unreachable" };
  return { kind: "refused", reason: refusalReason(error) };
}

/** Retry-After first, the envelope's details.retry_after_seconds next, else one second; never over the cap. */
function askedWaitSeconds(error: ApiError): number {
  const details = error.details as { retry_after_seconds?: unknown } | null;
  const fromBody = typeof details?.retry_after_seconds === "number" ? details.retry_after_seconds : null;
  const seconds = error.retryAfterSeconds ?? fromBody ?? 1;
  return Math.min(Math.max(seconds, 1), longestWaitSeconds);
}

/** Why a file was refused, in plain words first, then the server's own sentence. */
export function refusalReason(error: unknown): string {
  if (!(error instanceof ApiError)) return "The upload failed.";
  const lead: Record<string, string> = {
    file_too_large: "Too large",
    payload_too_large: "Too large",
    empty_file: "Empty file",
    type_mismatch: "Type not accepted",
    unsupported_media_type: "Type not accepted",
  };
  const plain = lead[error.code] ?? (error.status === 415 ? "Type not accepted" : error.status === 413 ? "Too large" : null);
  return plain ? `${plain}: ${error.message}` : error.message;
}
