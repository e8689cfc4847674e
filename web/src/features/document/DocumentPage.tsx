import { Link, useParams } from "react-router";
import { isActive, type DocumentDetail } from "../../api/types";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatBytes, formatTime, humanise } from "../../components/format";
import { ProgressBar } from "../../components/ProgressBar";
import { StatusBadge } from "../../components/StatusBadge";
import { Timeline } from "./Timeline";
import { useDocument, useJobActions, useResult } from "./useDocument";

export function DocumentPage() {
  const { id = "" } = useParams();
  const document = useDocument(id);
  if (document.isPending) return <p role="status">Loading the document…</p>;
  if (document.isError) return <ErrorNotice error={document.error} onRetry={() => void document.refetch()} />;
  return <DocumentView document={document.data} />;
}

function DocumentView({ document }: { document: DocumentDetail }) {
  const result = useResult(document.id, document.result !== null);
  const { retry, cancel } = useJobActions(document.id);
  const job = document.current_job;
  const canRetry = job !== null && (job.state === "failed" || job.state === "cancelled");
  const canCancel = job !== null && (job.state === "queued" || job.state === "running") && !job.cancel_requested;
  const progress = document.status === "processed" || document.status === "finalized" ? 100 : (job?.progress ?? 0);
  const actionError = retry.error ?? cancel.error;

  return (
    <article aria-labelledby="document-title" className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="text-sm"><Link to="/" className="link">Documents</Link> /</p>
          <h1 id="document-title" className="text-2xl font-semibold break-all">{document.filename}</h1>
          {document.title && <p className="text-slate-700">{document.title}</p>}
        </div>
        <div className="flex flex-wrap gap-2">
          {document.status === "processed" && <Link to={`/review/${document.id}`} className="btn-primary" aria-label="Review this document">Review</Link>}
          {canRetry && (
            <button type="button" className="btn-primary" disabled={retry.isPending} onClick={() => retry.mutate(job.id)}>
              {retry.isPending ? "Retrying…" : "Retry"}
            </button>
          )}
          {canCancel && (
            <button type="button" className="btn-danger" disabled={cancel.isPending} onClick={() => cancel.mutate(job.id)}>
              {cancel.isPending ? "Cancelling…" : "Cancel"}
            </button>
          )}
          <a href={document.links.file} className="btn" download>Download original</a>
        </div>
      </div>

      {actionError && <ErrorNotice error={actionError} />}
      {document.failure_reason && (
        <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-red-900" data-testid="failure-reason">
          <p className="font-semibold">{document.status === "rejected" ? "Rejected" : "Processing failed"}</p>
          <p>{document.failure_reason}</p>
        </div>
      )}

      <div className="grid gap-6 lg:grid-cols-3">
        <section aria-labelledby="status-title" className="card lg:col-span-1">
          <h2 id="status-title" className="mb-3 text-lg font-semibold">Status</h2>
          <div className="mb-2 flex items-center gap-2"><StatusBadge status={document.status} />
            {isActive(document.status) && job?.stage && <span className="text-sm text-slate-600">{job.stage}</span>}</div>
          <ProgressBar value={progress} label={`Progress of ${document.filename}`}
            tone={document.status === "failed" ? "red" : document.status === "finalized" ? "green" : "blue"} />
          <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            <dt className="text-slate-600">Type</dt><dd>{document.file_type} ({document.content_type})</dd>
            <dt className="text-slate-600">Size</dt><dd>{formatBytes(document.size_bytes)}</dd>
            <dt className="text-slate-600">Category</dt><dd>{document.category ? humanise(document.category) : "—"}</dd>
            <dt className="text-slate-600">Uploaded</dt><dd>{formatTime(document.created_at)}</dd>
            <dt className="text-slate-600">Processed</dt><dd>{formatTime(document.processed_at)}</dd>
            <dt className="text-slate-600">Finalised</dt><dd>{formatTime(document.finalized_at)}</dd>
            {job && (<><dt className="text-slate-600">Attempt</dt><dd>{job.attempt} of {job.max_attempts}</dd></>)}
            <dt className="text-slate-600">SHA-256</dt><dd className="truncate font-mono text-xs" title={document.sha256}>{document.sha256}</dd>
          </dl>
          <h3 className="mb-2 mt-5 font-semibold">Timeline</h3>
          <Timeline events={document.events} />
        </section>

        <div className="space-y-6 lg:col-span-2">
          {document.result && (
            <section aria-labelledby="fields-title" className="card">
              <h2 id="fields-title" className="mb-3 text-lg font-semibold">Fields</h2>
              {document.result.duplicates.length > 0 && (
                <ul aria-label="Possible duplicates" className="mb-3 space-y-1 rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-950">
                  {document.result.duplicates.map((duplicate) => (
                    <li key={duplicate.document_id}>
                      {duplicate.message}{" "}
                      <Link to={`/documents/${duplicate.document_id}`} className="link">Open {duplicate.filename}</Link>
                    </li>
                  ))}
                </ul>
              )}
              {Object.keys(document.result.fields).length === 0 ? (
                <p className="text-sm text-slate-600">No fields were found in this document.</p>
              ) : (
                <table className="w-full text-left text-sm">
                  <thead><tr className="text-xs uppercase text-slate-600"><th scope="col" className="py-1">Field</th><th scope="col">Value</th><th scope="col">Confidence</th></tr></thead>
                  <tbody>
                    {Object.entries(document.result.fields).map(([name, field]) => (
                      <tr key={name} className="border-t border-slate-100">
                        <th scope="row" className="py-1 pr-3 font-medium">{humanise(name)}</th>
                        <td className="pr-3">{field.value ?? "—"}{field.edited && <span className="ml-2 text-xs text-blue-800">(edited)</span>}</td>
                        <td>{field.confidence === null ? "—" : `${Math.round(field.confidence * 100)}%`}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {document.result.data.summary && (<><h3 className="mb-1 mt-4 font-semibold">Summary</h3><p className="text-sm">{document.result.data.summary}</p></>)}
              {document.result.data.keywords.length > 0 && (
                <p className="mt-3 text-sm"><span className="font-semibold">Keywords:</span> {document.result.data.keywords.join(", ")}</p>
              )}
            </section>
          )}
          <section aria-labelledby="text-title" className="card">
            <h2 id="text-title" className="mb-3 text-lg font-semibold">Extracted text</h2>
            {!document.result ? (
              <p className="text-sm text-slate-600">{isActive(document.status) ? "The text appears when processing completes." : "No text was extracted."}</p>
            ) : result.isError ? (
              <ErrorNotice error={result.error} onRetry={() => void result.refetch()} />
            ) : result.data ? (
              <pre tabIndex={0} aria-label="Document text" className="max-h-[28rem] overflow-auto whitespace-pre-wrap wrap-anywhere rounded bg-slate-50 p-3 text-sm">{result.data.text}</pre>
            ) : (
              <p role="status">Loading the text…</p>
            )}
          </section>
        </div>
      </div>
    </article>
  );
}
