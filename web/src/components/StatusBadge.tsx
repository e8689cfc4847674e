import type { DocumentStatus } from "../api/types";

const styles: Record<DocumentStatus, string> = {
  uploaded: "bg-slate-100 text-slate-800",
  queued: "bg-slate-100 text-slate-800",
  processing: "bg-blue-100 text-blue-900",
  processed: "bg-amber-100 text-amber-900",
  finalized: "bg-green-100 text-green-900",
  failed: "bg-red-100 text-red-900",
  rejected: "bg-rose-100 text-rose-900",
  cancelled: "bg-slate-200 text-slate-800",
};

/** What each status means to someone who did not read the state machine. */
export const statusLabels: Record<DocumentStatus, string> = {
  uploaded: "Uploaded",
  queued: "Queued",
  processing: "Processing",
  processed: "Ready for review",
  finalized: "Finalised",
  failed: "Failed",
  rejected: "Rejected",
  cancelled: "Cancelled",
};

export function StatusBadge({ status }: { status: DocumentStatus }) {
  return (
    <span data-status={status} className={`inline-block whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-semibold ${styles[status]}`}>
      {statusLabels[status]}
    </span>
  );
}
