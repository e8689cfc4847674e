import { Link, useNavigate, useParams } from "react-router";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useDocument, useResult } from "../document/useDocument";
import { ReviewForm } from "./ReviewForm";
import { useReviewQueue } from "./useReview";

/** The review queue beside the document under review; /review opens the oldest waiting one. */
export function ReviewPage() {
  const { id } = useParams();
  const queue = useReviewQueue();
  const navigate = useNavigate();
  const pending = queue.data?.items ?? [];
  const currentId = id ?? pending[0]?.id;

  const next = () => {
    const others = pending.filter((item) => item.id !== currentId);
    const index = pending.findIndex((item) => item.id === currentId);
    const after = pending.slice(index + 1).find((item) => item.id !== currentId) ?? others[0];
    navigate(after ? `/review/${after.id}` : "/review");
  };

  return (
    <section aria-labelledby="review-title" className="grid gap-6 lg:grid-cols-[16rem_1fr]">
      <aside aria-labelledby="queue-title" className="card h-fit">
        <h1 id="review-title" className="sr-only">Review</h1>
        <h2 id="queue-title" className="mb-2 font-semibold">Waiting for review ({queue.data?.total ?? "…"})</h2>
        {queue.isError && <ErrorNotice error={queue.error} onRetry={() => void queue.refetch()} />}
        <ul className="max-h-[50vh] space-y-1 overflow-auto text-sm lg:max-h-[70vh]">
          {pending.map((item) => (
            <li key={item.id}>
              <Link to={`/review/${item.id}`} aria-current={item.id === currentId ? "page" : undefined}
                className={`block truncate rounded px-2 py-1 ${item.id === currentId ? "bg-blue-100 font-medium text-blue-900" : "hover:bg-slate-100"}`}>
                {item.filename}
              </Link>
            </li>
          ))}
        </ul>
        {queue.data && pending.length === 0 && <p className="text-sm text-slate-600">Nothing is waiting.</p>}
      </aside>
      <div>
        {currentId ? <ReviewDocument key={currentId} id={currentId} onNext={next} /> : (
          queue.isPending ? <p role="status">Loading…</p> : (
            <div className="card"><p>Nothing to review right now.</p>
              <p className="mt-1 text-sm"><Link to="/upload" className="link">Upload documents</Link> and they appear here once processed.</p></div>
          )
        )}
      </div>
    </section>
  );
}

function ReviewDocument({ id, onNext }: { id: string; onNext: () => void }) {
  const document = useDocument(id);
  const result = useResult(id, Boolean(document.data?.result));
  if (document.isPending) return <p role="status">Loading the document…</p>;
  if (document.isError) return <ErrorNotice error={document.error} onRetry={() => void document.refetch()} />;
  if (!document.data.result) {
    return (
      <div className="card">
        <h2 className="text-xl font-semibold">{document.data.filename}</h2>
        <p className="mt-2">This document has no result to review yet. <Link to={`/documents/${id}`} className="link">See its progress</Link>.</p>
      </div>
    );
  }
  if (result.isError) return <ErrorNotice error={result.error} onRetry={() => void result.refetch()} />;
  if (!result.data) return <p role="status">Loading the extracted text…</p>;
  return <ReviewForm document={document.data} text={result.data.text} onNext={onNext} />;
}
