import { useQuery } from "@tanstack/react-query";
import { memo, useId, useRef, useState, type DragEvent } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { isActive } from "../../api/types";
import { formatBytes } from "../../components/format";
import { ProgressBar } from "../../components/ProgressBar";
import { StatusBadge } from "../../components/StatusBadge";
import { keepNewerStatus, keys } from "../../live/cache";
import { useStreamState } from "../../live/useEventStream";
import { describeCounts, unansweredRetries, type UploadEntry } from "./uploadQueue";
import { useUploads } from "./useUploads";

const accepted = ".txt,.md,.markdown,.csv,.json,.pdf,.docx,.png,.jpg,.jpeg,.tif,.tiff,.xml";

export function UploadPage() {
  const { entries, counts, pausedUntil, pauseSeconds, add, clear, retryRefused } = useUploads();
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const hintId = useId();

  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    add(Array.from(event.dataTransfer.files));
  };

  return (
    <section aria-labelledby="upload-title">
      <h1 id="upload-title" className="mb-4 text-2xl font-semibold">Upload documents</h1>
      <div
        onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
        data-testid="drop-zone"
        className={`flex flex-col items-center justify-center gap-3 rounded-lg border-2 border-dashed p-10 text-center ${dragging ? "border-blue-600 bg-blue-50" : "border-slate-400 bg-white"}`}>
        <p className="text-lg font-medium">Drop files here</p>
        <p id={hintId} className="text-sm text-slate-600">
          Text, Markdown, CSV, JSON, PDF, Word (DOCX) and images; each file is checked and processed on its own.
        </p>
        <label className="btn-primary cursor-pointer focus-within:outline focus-within:outline-3 focus-within:outline-offset-2 focus-within:outline-blue-600">
          Choose files
          <input ref={input} type="file" multiple accept={accepted} aria-describedby={hintId} className="sr-only"
            onChange={(e) => { add(Array.from(e.target.files ?? [])); e.target.value = ""; }} />
        </label>
      </div>

      {/* Always in the page, so that screen readers announce its changes from the first file on. */}
      <div role="status" data-testid="upload-counts" className="mt-6 empty:hidden">
        {entries.length > 0 && <p className="font-medium">{describeCounts(counts)}</p>}
        {pausedUntil > 0 && (
          <p className="text-sm text-slate-700">
            Waiting: the server asked to wait {pauseSeconds} s before it takes more files; the rest go on after that, by themselves.
          </p>
        )}
      </div>

      {entries.length > 0 && (
        <div className="mt-4">
          <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
            <h2 className="text-lg font-semibold">This session's uploads</h2>
            <div className="flex gap-2">
              {counts.refused > 0 && <button type="button" className="btn" onClick={retryRefused}>Retry refused</button>}
              <button type="button" className="btn" onClick={clear}>Clear finished</button>
            </div>
          </div>
          <ul className="space-y-2" aria-label="Uploads">
            {entries.map((entry) => <UploadRow key={entry.id} entry={entry} />)}
          </ul>
        </div>
      )}
    </section>
  );
}

/** Memoised: a change to one file of a few hundred re-renders that file's row only. */
const UploadRow = memo(function UploadRow({ entry }: { entry: UploadEntry }) {
  return (
    <li className="card" data-upload={entry.file.name} data-phase={entry.phase}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <span className="font-medium break-all">{entry.file.name}</span>
        <span className="text-sm text-slate-600">{formatBytes(entry.file.size)}</span>
      </div>
      {entry.phase === "refused" ? (
        <p role="alert" className="error-text font-medium">
          {entry.unanswered > unansweredRetries ? "Not uploaded" : "Refused"}. {entry.reason}
        </p>
      ) : entry.phase === "uploaded" && entry.documentId ? (
        <Processing documentId={entry.documentId} name={entry.file.name} duplicateOf={entry.duplicateOf ?? null} />
      ) : (
        <div className="mt-2">
          <ProgressBar value={entry.fraction * 100} label={`Upload of ${entry.file.name}`} />
          <p className="mt-1 text-xs text-slate-600">
            {entry.phase === "uploading"
              ? `Uploading… ${Math.round(entry.fraction * 100)}%`
              : entry.waitReason ? `Waiting: ${entry.waitReason}` : "Waiting to upload"}
          </p>
        </div>
      )}
    </li>
  );
});

function Processing({ documentId, name, duplicateOf }: { documentId: string; name: string; duplicateOf: string | null }) {
  const live = useStreamState() === "live";
  const status = useQuery({
    queryKey: keys.status(documentId),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/documents/{id}/status", { params: { path: { id: documentId } }, signal })),
    // While the feed is live it writes every change of the document here and, after a reconnect, has
    // everything asked again; so each row asks once, not on every return to the page nor every few
    // seconds, which for a few hundred rows would spend the user's request budget the uploads need.
    // Polling is the fallback for when the feed is down.
    staleTime: live ? Infinity : 0,
    refetchInterval: (query) => (!live && query.state.data && isActive(query.state.data.status) ? 10_000 : false),
    structuralSharing: keepNewerStatus,
  });
  const data = status.data;
  const done = data && !isActive(data.status);
  const progress = data ? (done && data.status !== "failed" && data.status !== "cancelled" ? 100 : data.progress) : 0;
  return (
    <div className="mt-2">
      <ProgressBar value={progress} label={`Processing of ${name}`} tone={data?.status === "failed" ? "red" : done ? "green" : "blue"} />
      <div className="mt-1 flex flex-wrap items-center gap-2 text-xs text-slate-700">
        <span>Uploaded.</span>
        {data && <StatusBadge status={data.status} />}
        {data && !done && <span>{progress}%{data.stage ? ` · ${data.stage}` : ""}</span>}
        {data?.failure_reason && <span className="text-red-800">{data.failure_reason}</span>}
        <Link to={`/documents/${documentId}`} className="link" aria-label={`Open ${name}`}>Open</Link>
        {data?.status === "processed" && <Link to={`/review/${documentId}`} className="link" aria-label={`Review ${name}`}>Review</Link>}
        {duplicateOf && <span>Same content as an earlier upload (<Link to={`/documents/${duplicateOf}`} className="link">open it</Link>).</span>}
      </div>
    </div>
  );
}
