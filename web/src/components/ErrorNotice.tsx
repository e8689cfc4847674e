import { ApiError } from "../api/client";

/** A failed request in words, with the request id a support person can look up. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof Error ? error.message : "Something went wrong.";
  const requestId = error instanceof ApiError ? error.requestId : null;
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
      <p>{message}</p>
      {requestId && <p className="mt-1 text-xs text-red-800">Request id: <code>{requestId}</code></p>}
      {onRetry && <button type="button" className="btn mt-2" onClick={onRetry}>Try again</button>}
    </div>
  );
}
