import { replaceEqualDeep, type QueryClient } from "@tanstack/react-query";
import type { DocumentDetail, DocumentStatusView, DocumentSummary, JobEvent, Paged } from "../api/types";

/** Query keys of what the server owns; the live feed writes into these. */
export const keys = {
  documents: ["documents"] as const,
  documentList: (params: Record<string, string | number | undefined>) => ["documents", params] as const,
  document: (id: string) => ["document", id] as const,
  result: (id: string) => ["result", id] as const,
  status: (id: string) => ["status", id] as const,
  reviewQueue: ["review-queue"] as const,
  exports: ["exports"] as const,
  stats: ["stats"] as const,
  deadLetters: ["dead-letters"] as const,
};

/**
 * A progress event: moves the progress bars of the document's list rows, its status query and
 * its detail's timeline. Status itself comes from the document frames, which follow within one poll.
 */
export function applyProgressEvent(client: QueryClient, event: JobEvent) {
  let listed = false;
  client.setQueriesData<Paged<DocumentSummary>>({ queryKey: keys.documents }, (page) => {
    if (!page?.items.some((item) => item.id === event.document_id)) return page;
    listed = true;
    return {
      ...page,
      items: page.items.map((item) =>
        item.id === event.document_id ? { ...item, progress: event.progress, stage: event.stage ?? item.stage } : item,
      ),
    };
  });
  // A job queued for a document no list shows yet is most likely a new upload.
  if (!listed && event.event === "job_queued") {
    void client.invalidateQueries({ queryKey: keys.documents }, { cancelRefetch: false });
  }

  client.setQueryData<DocumentStatusView>(keys.status(event.document_id), (status) =>
    status ? { ...status, progress: event.progress, stage: event.stage ?? status.stage } : status,
  );

  const detail = client.getQueryData<DocumentDetail>(keys.document(event.document_id));
  if (!detail) return;
  if (detail.current_job && detail.current_job.id !== event.job_id) {
    // A retry or reprocess started a new job: reload to pick up the job and its history.
    void client.invalidateQueries({ queryKey: keys.document(event.document_id) }, { cancelRefetch: false });
    return;
  }
  if (detail.events.some((known) => known.id === event.id)) return;
  client.setQueryData<DocumentDetail>(keys.document(event.document_id), {
    ...detail,
    events: [...detail.events, event],
    current_job: detail.current_job
      ? { ...detail.current_job, progress: event.progress, stage: event.stage ?? detail.current_job.stage }
      : detail.current_job,
  });
}

/** A document changed (processing, review, decision): its list rows take the new summary; details reload. */
export function applyDocumentChange(client: QueryClient, summary: DocumentSummary) {
  let listed = false;
  let statusChanged = false;
  client.setQueriesData<Paged<DocumentSummary>>({ queryKey: keys.documents }, (page) => {
    if (!page?.items.some((item) => item.id === summary.id)) return page;
    listed = true;
    return {
      ...page,
      items: page.items.map((item) => {
        if (item.id !== summary.id || item.version > summary.version) return item;
        if (item.status !== summary.status) statusChanged = true;
        return summary;
      }),
    };
  });
  if (!listed) void client.invalidateQueries({ queryKey: keys.documents }, { cancelRefetch: false });

  const status = client.getQueryData<DocumentStatusView>(keys.status(summary.id));
  if (!status && client.getQueryState(keys.status(summary.id))) {
    // Asked for and not answered yet: the answer may have been read before this change, and with the
    // feed live nothing asks again. Asking afresh now reads at least this change.
    void client.invalidateQueries({ queryKey: keys.status(summary.id), exact: true });
  }
  if (status && status.version < summary.version) {
    if (status.status !== summary.status) statusChanged = true;
    client.setQueryData<DocumentStatusView>(keys.status(summary.id), {
      ...status,
      status: summary.status,
      progress: summary.progress,
      stage: summary.stage,
      failure_reason: summary.failure_reason,
      version: summary.version,
      current_job_id: summary.current_job_id,
      updated_at: summary.updated_at,
    });
  }

  const detail = client.getQueryData<DocumentDetail>(keys.document(summary.id));
  if (detail && detail.version < summary.version) {
    void client.invalidateQueries({ queryKey: keys.document(summary.id) }, { cancelRefetch: false });
    void client.invalidateQueries({ queryKey: keys.result(summary.id) }, { cancelRefetch: false });
  }
  if (statusChanged || !listed) {
    void client.invalidateQueries({ queryKey: keys.reviewQueue }, { cancelRefetch: false });
  }
}

/**
 * structuralSharing for status queries: an answer older than what the cache holds (a fetch that was
 * in flight while the feed wrote a newer change) does not take the document back in time.
 */
export function keepNewerStatus(held: unknown, fetched: unknown): unknown {
  const older = held as DocumentStatusView | undefined;
  const newer = fetched as DocumentStatusView | undefined;
  if (older && newer && older.id === newer.id && older.version > newer.version) return held;
  return replaceEqualDeep(held, fetched);
}
