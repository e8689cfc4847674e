import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { DocumentDetail, DocumentStatusView, DocumentSummary, Paged } from "../api/types";
import { jobEvent, processedDetail, summary } from "../test/fixtures";
import { applyDocumentChange, applyProgressEvent, keepNewerStatus, keys } from "./cache";

function page(...items: DocumentSummary[]): Paged<DocumentSummary> {
  return { items, page: 1, page_size: 20, total: items.length, total_pages: 1, total_is_exact: true };
}

function clientWith(list: Paged<DocumentSummary>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  client.setQueryData(keys.documentList({ page: 1 }), list);
  return client;
}

const listed = (client: QueryClient) => client.getQueryData<Paged<DocumentSummary>>(keys.documentList({ page: 1 }))!.items;

describe("applyProgressEvent", () => {
  it("moves the progress bar of the listed document and leaves the others alone", () => {
    const other = summary({ id: "0193a000-0000-7000-8000-000000000002", progress: 5 });
    const client = clientWith(page(summary(), other));

    applyProgressEvent(client, jobEvent({ progress: 70, stage: "fields" }));

    expect(listed(client)[0]).toMatchObject({ progress: 70, stage: "fields" });
    expect(listed(client)[1]).toEqual(other);
  });

  it("marks the lists stale when a job is queued for a document they do not show (a new upload)", () => {
    const client = clientWith(page(summary()));

    applyProgressEvent(client, jobEvent({ document_id: "0193a000-0000-7000-8000-0000000000ff", event: "job_queued" }));

    expect(client.getQueryState(keys.documentList({ page: 1 }))!.isInvalidated).toBe(true);
  });

  it("appends the event to the open document's timeline once, however often it arrives", () => {
    const client = clientWith(page());
    const detail = processedDetail({ status: "processing", events: [] });
    client.setQueryData(keys.document(detail.id), detail);

    applyProgressEvent(client, jobEvent({ id: 7 }));
    applyProgressEvent(client, jobEvent({ id: 7 }));

    const events = client.getQueryData<DocumentDetail>(keys.document(detail.id))!.events;
    expect(events.map((e) => e.id)).toEqual([7]);
  });

  it("reloads the open document when an event belongs to a job it does not know (a retry)", () => {
    const client = clientWith(page());
    const detail = processedDetail();
    client.setQueryData(keys.document(detail.id), detail);

    applyProgressEvent(client, jobEvent({ job_id: "0193a000-0000-7000-8000-0000000000b2", event: "job_queued" }));

    expect(client.getQueryState(keys.document(detail.id))!.isInvalidated).toBe(true);
  });
});

describe("applyDocumentChange", () => {
  it("replaces the listed row with the newer summary", () => {
    const client = clientWith(page(summary()));

    applyDocumentChange(client, summary({ status: "processed", progress: 100, version: 3 }));

    expect(listed(client)[0]).toMatchObject({ status: "processed", progress: 100, version: 3 });
  });

  it("ignores a summary older than the row it would replace", () => {
    const current = summary({ status: "finalized", version: 5 });
    const client = clientWith(page(current));

    applyDocumentChange(client, summary({ status: "processed", version: 4 }));

    expect(listed(client)[0]).toEqual(current);
  });

  it("reloads an open document whose version moved on", () => {
    const client = clientWith(page());
    const detail = processedDetail({ version: 3 });
    client.setQueryData(keys.document(detail.id), detail);

    applyDocumentChange(client, summary({ id: detail.id, status: "finalized", version: 4 }));

    expect(client.getQueryState(keys.document(detail.id))!.isInvalidated).toBe(true);
  });
});

describe("the status of one document", () => {
  const status = (overrides: Partial<DocumentStatusView> = {}): DocumentStatusView => ({
    id: summary().id, status: "processing", current_job_id: null, job_state: "running", stage: "extract", progress: 10,
    failure_reason: null, version: 2, updated_at: "2026-01-05T10:00:01Z", ...overrides,
  });

  it("is asked for again when a change arrives while the first answer is still on its way", () => {
    const client = new QueryClient();
    void client.prefetchQuery({ queryKey: keys.status(summary().id), queryFn: () => new Promise<DocumentStatusView>(() => {}) });

    applyDocumentChange(client, summary({ status: "processed", version: 3 }));

    expect(client.getQueryState(keys.status(summary().id))!.isInvalidated).toBe(true);
  });

  it("keeps what the feed wrote over an older answer that was in flight", () => {
    const fromFeed = status({ status: "processed", version: 4 });
    expect(keepNewerStatus(fromFeed, status({ version: 3 }))).toBe(fromFeed);
    expect(keepNewerStatus(status({ version: 3 }), fromFeed)).toEqual(fromFeed);
  });
});
