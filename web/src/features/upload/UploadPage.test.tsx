import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import type { DocumentStatusView, UploadResponse } from "../../api/types";
import { uploadFile } from "../../api/upload";
import { keys } from "../../live/cache";
import { StreamStateContext, type StreamState } from "../../live/useEventStream";
import { renderWithClient } from "../../test/render";
import { UploadPage } from "./UploadPage";
import { uploadQueue } from "./uploadQueue";

// Only the request itself is replaced; the tab's real queue sends through it.
vi.mock("../../api/upload", async (original) => ({ ...(await original<typeof import("../../api/upload")>()), uploadFile: vi.fn() }));

afterEach(() => {
  uploadQueue.forget();
  vi.mocked(uploadFile).mockReset();
});

type Pending = { name: string; key: string; resolve: (r: UploadResponse) => void; reject: (e: unknown) => void };

function answerByHand(): Pending[] {
  const pending: Pending[] = [];
  vi.mocked(uploadFile).mockImplementation(
    (file, { idempotencyKey }) => new Promise((resolve, reject) => pending.push({ name: file.name, key: idempotencyKey, resolve, reject })),
  );
  return pending;
}

const stored = (documentId: string) => ({ documents: [{ id: documentId, duplicate_of: null }] }) as unknown as UploadResponse;

/** A status in the cache, so the row of an uploaded file shows it without asking the server. */
function clientKnowing(...documentIds: string[]) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  for (const id of documentIds) {
    client.setQueryData<DocumentStatusView>(keys.status(id), {
      id, status: "queued", current_job_id: null, job_state: "queued", stage: null, progress: 0, failure_reason: null, version: 1,
      updated_at: "2026-01-05T10:00:00Z",
    });
  }
  return client;
}

async function choose(...names: string[]) {
  await userEvent.upload(screen.getByLabelText("Choose files"), names.map((name) => new File([name], name, { type: "text/plain" })));
}

describe("UploadPage", () => {
  it("keeps the list when the page is left and opened again, and files finish uploading meanwhile", async () => {
    const pending = answerByHand();
    const client = clientKnowing("doc-a");
    const first = renderWithClient(<UploadPage />, { client });
    await choose("a.txt", "b.txt");
    expect(screen.getByTestId("upload-counts")).toHaveTextContent("0 uploaded · 2 waiting · 0 refused");
    first.unmount();

    pending[0]!.resolve(stored("doc-a"));
    await vi.waitFor(() => expect(uploadQueue.getSnapshot().entries[0]!.phase).toBe("uploaded"));

    renderWithClient(<UploadPage />, { client });
    expect(screen.getByTestId("upload-counts")).toHaveTextContent("1 uploaded · 1 waiting · 0 refused");
    const rows = within(screen.getByRole("list", { name: "Uploads" })).getAllByRole("listitem");
    expect(rows.map((row) => row.dataset.upload)).toEqual(["a.txt", "b.txt"]);
    expect(within(rows[0]!).getByText("Uploaded.")).toBeInTheDocument();
  });

  it("shows a rate-limited file as waiting, never refused, and a real refusal with its reason and a retry", async () => {
    const pending = answerByHand();
    renderWithClient(<UploadPage />, { client: clientKnowing() });
    await choose("a.txt", "b.txt");

    pending[0]!.reject(new ApiError(429, { code: "rate_limited", message: "Too many", details: { retry_after_seconds: 3 } }, 3));
    pending[1]!.reject(new ApiError(415, { code: "type_mismatch", message: "'b.txt' is not text." }));
    const waiting = await screen.findByText("Waiting: the server asked to wait 3 s");
    expect(waiting.closest("li")).toHaveAttribute("data-upload", "a.txt");
    expect(screen.getByTestId("upload-counts")).toHaveTextContent("0 uploaded · 1 waiting · 1 refused");
    expect(screen.getByTestId("upload-counts")).toHaveTextContent("the server asked to wait 3 s before it takes more files");
    expect(screen.getByRole("alert")).toHaveTextContent("Refused. Type not accepted: 'b.txt' is not text.");
    expect(screen.getAllByText(/Refused/)).toHaveLength(1);

    await userEvent.click(screen.getByRole("button", { name: "Retry refused" }));
    expect(screen.getByTestId("upload-counts")).toHaveTextContent("0 uploaded · 2 waiting · 0 refused");
    expect(screen.queryByRole("button", { name: "Retry refused" })).not.toBeInTheDocument();
  });
});

describe("the processing status of an uploaded file", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("is asked for again only while the live feed is down", async () => {
    vi.useFakeTimers();
    const asked = vi.fn(async () => new Response(JSON.stringify({
      id: "doc-a", status: "processing", current_job_id: null, job_state: "running", stage: "extract", progress: 10,
      failure_reason: null, version: 2, updated_at: "2026-01-05T10:00:01Z",
    }), { status: 200, headers: { "Content-Type": "application/json" } }));
    vi.stubGlobal("fetch", asked);
    const pending = answerByHand();
    uploadQueue.add([new File(["a"], "a.txt")]);
    pending[0]!.resolve(stored("doc-a"));
    await vi.advanceTimersByTimeAsync(0);

    const page = (state: StreamState) => <StreamStateContext.Provider value={state}><UploadPage /></StreamStateContext.Provider>;
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const view = renderWithClient(page("live"), { client });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asked).toHaveBeenCalledTimes(1);

    view.rerender(<QueryClientProvider client={client}><MemoryRouter>{page("reconnecting")}</MemoryRouter></QueryClientProvider>);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(asked).toHaveBeenCalledTimes(3);
  });
});
