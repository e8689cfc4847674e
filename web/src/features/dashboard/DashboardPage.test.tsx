import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { applyDocumentChange, applyProgressEvent, keys } from "../../live/cache";
import { jobEvent, summary } from "../../test/fixtures";
import { renderWithClient } from "../../test/render";
import { DashboardPage } from "./DashboardPage";

describe("DashboardPage", () => {
  it("moves a row's progress bar and status as the live feed reports them", async () => {
    const { client } = renderWithClient(<DashboardPage />);
    act(() => {
      client.setQueryData(keys.documentList({ sort: "created_at", order: "desc", page: 1, page_size: 20 }),
        { items: [summary()], page: 1, page_size: 20, total: 1, total_pages: 1, total_is_exact: true });
    });
    const row = (await screen.findByRole("link", { name: "invoice.txt" })).closest("tr")!;
    expect(within(row).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "10");

    act(() => applyProgressEvent(client, jobEvent({ progress: 80, stage: "fields" })));
    // The query cache tells its observers on the next tick.
    await waitFor(() => expect(within(row).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "80"));
    expect(within(row).getByText("80% · fields")).toBeInTheDocument();

    act(() => applyDocumentChange(client, summary({ status: "processed", progress: 100, version: 3, category: "invoice" })));
    expect(await within(row).findByText("Ready for review")).toBeInTheDocument();
    expect(within(row).getByRole("link", { name: "Review invoice.txt" })).toHaveAttribute("href", `/review/${summary().id}`);
  });

  it("offers every filter and sort as a labelled control", () => {
    renderWithClient(<DashboardPage />);

    for (const label of ["Search", "Status", "Category", "Sort by", "Order"]) expect(screen.getByLabelText(label)).toBeInTheDocument();
  });
});
