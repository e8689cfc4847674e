import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { invoiceText, processedDetail } from "../../test/fixtures";
import { renderWithClient } from "../../test/render";
import { ReviewForm } from "./ReviewForm";

afterEach(() => vi.unstubAllGlobals());

describe("ReviewForm", () => {
  it("shows each field with its confidence and flags the low ones with the result's warnings", () => {
    renderWithClient(<ReviewForm document={processedDetail()} text={invoiceText} onNext={() => {}} />);

    expect(screen.getByLabelText("Invoice number")).toHaveValue("INV-42");
    expect(screen.getByText("90% confidence")).toBeInTheDocument();
    expect(screen.getByText("40% confidence (low)")).toBeInTheDocument();
    const warnings = screen.getByRole("region", { name: "Check before approving" });
    expect(within(warnings).getByText("The total does not equal net plus tax.")).toBeInTheDocument();
    expect(within(warnings).getByText("Total was found with low confidence.")).toBeInTheDocument();
  });

  it("warns of a duplicate invoice with a link to the other document", () => {
    const detail = processedDetail();
    const otherId = "0193a000-0000-7000-8000-000000000002";
    detail.result!.duplicates = [{
      document_id: otherId, match: "invoice_number", filename: "invoice-copy.pdf", status: "finalized",
      message: "Possibly a duplicate: invoice-copy.pdf (finalized) has the same issuer and invoice number.",
      link: `/api/v1/documents/${otherId}`,
    }];
    renderWithClient(<ReviewForm document={detail} text={invoiceText} onNext={() => {}} />);

    const warnings = screen.getByRole("region", { name: "Check before approving" });
    expect(within(warnings).getByText(/Possibly a duplicate: invoice-copy\.pdf \(finalized\) has the same issuer and invoice number\./)).toBeInTheDocument();
    expect(within(warnings).getByRole("link", { name: "Open invoice-copy.pdf" })).toHaveAttribute("href", `/documents/${otherId}`);
  });

  it("shows no duplicate warning when the invoice has none", () => {
    const detail = processedDetail();
    detail.result!.data.warnings = [];
    detail.result!.fields.total!.confidence = 0.95;
    renderWithClient(<ReviewForm document={detail} text={invoiceText} onNext={() => {}} />);

    expect(screen.queryByRole("region", { name: "Check before approving" })).not.toBeInTheDocument();
  });

  it("highlights where a field was found when it gets focus", async () => {
    const user = userEvent.setup();
    renderWithClient(<ReviewForm document={processedDetail()} text={invoiceText} onNext={() => {}} />);
    expect(screen.queryByLabelText("Source of Invoice number")).not.toBeInTheDocument();

    await user.click(screen.getByLabelText("Invoice number"));

    expect(screen.getByLabelText("Source of Invoice number")).toHaveTextContent(/^INV-42$/);
    await user.click(screen.getByLabelText("Total"));
    expect(screen.queryByLabelText("Source of Invoice number")).not.toBeInTheDocument();
  });

  it("says what is wrong with a badly formatted value before anything is sent", async () => {
    const user = userEvent.setup();
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    renderWithClient(<ReviewForm document={processedDetail()} text={invoiceText} onNext={() => {}} />);

    await user.type(screen.getByLabelText("Date"), "5 Jan 2026");
    await user.click(screen.getByRole("button", { name: "Save edits" }));

    expect(await screen.findByText("A date as YYYY-MM-DD.")).toBeInTheDocument();
    expect(screen.getByLabelText("Date")).toHaveAttribute("aria-invalid", "true");
    expect(fetch).not.toHaveBeenCalled();
  });

  it("keeps the reviewer's edit and explains when the save was refused as stale", async () => {
    const user = userEvent.setup();
    const requests: Request[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      requests.push(request);
      return new Response(JSON.stringify({ error: { code: "version_conflict", message: "The document changed since version 3 (now 4); reload it and apply your edits again.", details: { expected_version: 3, current_version: 4 }, request_id: "r1" } }),
        { status: 409, headers: { "Content-Type": "application/json" } });
    });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
    const { rerender } = renderWithClient(<ReviewForm document={processedDetail()} text={invoiceText} onNext={() => {}} />, { client });

    await user.clear(screen.getByLabelText("Total"));
    await user.type(screen.getByLabelText("Total"), "1300.00");
    await user.click(screen.getByRole("button", { name: "Save edits" }));

    expect(await screen.findByTestId("conflict")).toHaveTextContent("changed while you were editing");
    expect(requests[0]!.method).toBe("PUT");
    expect(requests[0]!.headers.get("If-Match")).toBe('"3"');
    expect(await requests[0]!.json()).toMatchObject({ fields: { total: "1300.00" }, version: 3 });

    // The newer version arrives (someone else renamed the issuer): it loads under the reviewer's edit.
    const newer = processedDetail({ version: 4 });
    newer.result!.fields.issuer = { value: "ACME Ltd", machine_value: null, reviewed_value: "ACME Ltd", edited: true, type: null, confidence: null, source: null };
    rerender(
      <QueryClientProvider client={client}>
        <MemoryRouter><ReviewForm document={newer} text={invoiceText} onNext={() => {}} /></MemoryRouter>
      </QueryClientProvider>,
    );
    await waitFor(() => expect(screen.getByLabelText("Issuer")).toHaveValue("ACME Ltd"));
    expect(screen.getByLabelText("Total")).toHaveValue("1300.00");
  });

  it("approves with A, rejects with R and moves on with N, but not while typing", async () => {
    const user = userEvent.setup();
    const onNext = vi.fn();
    const requests: string[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      requests.push(`${request.method} ${new URL(request.url).pathname}`);
      return new Response("{}", { status: 500, headers: { "Content-Type": "application/json" } });
    });
    renderWithClient(<ReviewForm document={processedDetail()} text={invoiceText} onNext={onNext} />);

    await user.type(screen.getByLabelText("Issuer"), "an");
    expect(requests).toEqual([]);
    expect(onNext).not.toHaveBeenCalled();

    await user.click(document.body);
    await user.keyboard("n");
    expect(onNext).toHaveBeenCalledTimes(1);

    const id = processedDetail().id;
    await user.keyboard("a");
    await waitFor(() => expect(requests).toContain(`PUT /api/v1/documents/${id}/review`));
    // The unsaved "an" is saved first; the stub refuses it, so the approval is not sent after it.
    expect(requests).not.toContain(`POST /api/v1/review/${id}/approve`);
    await user.clear(screen.getByLabelText("Issuer"));
    await user.click(document.body);
    await user.keyboard("a");
    await waitFor(() => expect(requests).toContain(`POST /api/v1/review/${id}/approve`));
    await user.keyboard("r");
    await waitFor(() => expect(requests).toContain(`POST /api/v1/review/${id}/reject`));
  });
});
