import { ApiError, csrfHeaders } from "./client";
import type { ApiErrorBody, UploadResponse } from "./types";

/**
 * Uploads one file with progress. fetch() cannot report upload progress, so this is the one
 * place that uses XMLHttpRequest. One file per request: the server refuses a whole request when
 * any file in it is refused, and the user should see which file and why.
 */
export function uploadFile(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<UploadResponse> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/v1/documents");
    for (const [name, value] of Object.entries(csrfHeaders("POST"))) request.setRequestHeader(name, value);
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
        reject(new ApiError(request.status, (body as { error?: ApiErrorBody } | undefined)?.error));
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
