import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { admin, dropFiles, expectAccessible, fromDisk, parseCsv, row, samples, screenshot, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

test.beforeEach(async ({ context }) => {
  await signIn(context);
});

test("signing in through the page starts a cookie session that survives a reload, and signing out ends it", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Sign in to Docket" })).toBeVisible();
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Docket" })).toBeVisible();

  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Docket" })).toBeHidden();
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "docket_session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Strict");
  await page.reload();
  await expect(page.getByRole("heading", { name: "Sign in to Docket" })).toBeHidden();
  // An unsafe request from the page carries the CSRF token; one without it is refused.
  const forged = await context.request.post("/api/v1/export/json", { data: {} });
  expect(forged.status()).toBe(403);

  const loggedOut = page.waitForResponse((response) => response.url().endsWith("/api/v1/auth/logout"));
  await page.getByRole("button", { name: "Sign out" }).click();
  expect((await loggedOut).status()).toBe(204);
  expect((await context.request.get("/api/v1/auth/me")).status()).toBe(401);
  await expect(page.getByRole("heading", { name: "Sign in to Docket" })).toBeVisible();
  await context.close();
});

test("upload the samples, watch them finish live, review and approve the invoice, export CSV", async ({ page }) => {
  await page.goto("/upload");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  await dropFiles(page, [...samples.map(fromDisk), { name: "program.exe", content: Buffer.from("MZ\x90\x00\x03\x00\x00\x00binary") }]);

  // Each file: an upload bar, then its processing, live, to "Ready for review"; the refused one says why.
  for (const path of samples) {
    const name = path.split("/").pop()!;
    const entry = page.locator(`[data-upload="${name}"]`);
    await expect(entry.getByText("Ready for review")).toBeVisible();
    await expect(entry.getByRole("progressbar", { name: `Processing of ${name}` })).toHaveAttribute("aria-valuenow", "100");
  }
  await expect(page.locator('[data-upload="program.exe"]').getByRole("alert")).toContainText("Refused. Type not accepted");
  await screenshot(page, "upload");
  await expectAccessible(page);

  await page.getByRole("link", { name: "Dashboard" }).click();
  await expect(row(page, "sample-invoice.csv").getByText("Ready for review")).toBeVisible();
  await expect(page.locator("tbody tr")).toHaveCount(5);
  await screenshot(page, "dashboard");
  await expectAccessible(page);

  await page.getByLabel("Category").selectOption("invoice");
  await expect(page.locator("tbody tr")).toHaveCount(1);
  await page.getByRole("link", { name: "sample-invoice.csv", exact: true }).click();
  await expect(page.getByRole("heading", { name: "sample-invoice.csv" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Processing timeline" }).locator('[data-event="job_completed"]')).toBeVisible();
  await expect(page.getByLabel("Document text")).toContainText("INV-2024-001");
  await screenshot(page, "document");
  await expectAccessible(page);

  await page.getByRole("link", { name: "Review this document" }).click();
  await expect(page.getByRole("heading", { name: "sample-invoice.csv" })).toBeVisible();
  await page.getByLabel("Invoice number", { exact: true }).focus();
  await expect(page.getByLabel("Source of Invoice number")).toHaveText("INV-2024-001");
  await expect(page.getByText("The file holds 3 invoices", { exact: false })).toBeVisible();
  await page.getByLabel("Issuer", { exact: true }).fill("Acme Corp");
  await page.getByLabel("Currency", { exact: true }).fill("usd");
  await page.getByRole("button", { name: "Save edits" }).click();
  await expect(page.getByText("A three-letter ISO 4217 code such as EUR.")).toBeVisible();
  await page.getByLabel("Currency", { exact: true }).fill("USD");
  await page.getByLabel("Invoice number", { exact: true }).focus();
  await screenshot(page, "review");
  await expectAccessible(page);

  // Approve from the keyboard: the edits are saved first, then the document is finalised.
  await page.getByRole("heading", { name: "sample-invoice.csv" }).click();
  await page.keyboard.press("a");
  await expect(page.getByRole("heading", { name: "sample-invoice.csv" })).toBeHidden();

  await page.getByRole("link", { name: "Exports" }).click();
  await page.getByLabel("CSV").check();
  await page.getByRole("button", { name: "Create export" }).click();
  await expect(page.getByText("Exported 1 document as CSV.")).toBeVisible();
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download it" }).click();
  const csv = readFileSync(await (await download).path(), "utf8");
  const [columns, values, ...rest] = parseCsv(csv);
  expect(rest).toEqual([]);
  const cell = (name: string) => values![columns!.indexOf(name)];
  expect(cell("filename")).toBe("sample-invoice.csv");
  expect(cell("status")).toBe("finalized");
  expect(cell("issuer")).toBe("Acme Corp");
  expect(cell("invoice_number")).toBe("INV-2024-001");
  expect(cell("currency")).toBe("USD");
  expect(cell("total")).toBe("4050.00");
  expect(cell("reviewed")).toBe("true");
  await expect(page.getByRole("table").getByRole("link", { name: /Download the csv export/ })).toHaveCount(1);
  await screenshot(page, "exports");
  await expectAccessible(page);
});

test("a document that fails shows why, and retrying it runs it again", async ({ page }) => {
  await page.goto("/upload");
  await dropFiles(page, [{ name: "broken.json", content: '{"invoice": ' }]);
  const entry = page.locator('[data-upload="broken.json"]');
  await expect(entry.getByText("Failed")).toBeVisible();
  await entry.getByRole("link", { name: "Open broken.json" }).click();

  const reason = page.getByTestId("failure-reason");
  await expect(reason).toContainText("Processing failed");
  const firstReason = await reason.textContent();
  await expect(page.getByRole("list", { name: "Processing timeline" }).locator('[data-event="job_failed"]')).toHaveCount(1);
  await screenshot(page, "document-failed");
  await expectAccessible(page);

  await page.getByRole("button", { name: "Retry" }).click();
  // The retry is a new job: its timeline starts again from "queued" and ends failing for the same reason.
  await expect(page.getByRole("list", { name: "Processing timeline" }).locator('[data-event="job_queued"]')).toHaveCount(1);
  await expect(page.getByRole("list", { name: "Processing timeline" }).locator('[data-event="job_failed"]')).toHaveCount(1);
  await expect(reason).toHaveText(firstReason!);
  await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();

  await page.getByRole("link", { name: "Operations" }).click();
  const letter = page.getByRole("row").filter({ hasText: "broken.json" });
  await expect(letter).toBeVisible();
  await expect(page.locator('[data-stat="Dead letters"]')).toHaveText("1");
  await screenshot(page, "operations");
  await expectAccessible(page);
});

test("a second tab sees the first tab's changes live, and an unsaved edit survives another tab's save", async ({ context }) => {
  const first = await context.newPage();
  const second = await context.newPage();
  await second.goto("/?sort=filename&order=asc&q=live-");
  await expect(second.getByText("No documents match.")).toBeVisible();
  await expect(second.getByText("Live", { exact: true })).toBeVisible();

  await first.goto("/upload");
  await dropFiles(first, [{ name: "live-invoice.txt", content: "Invoice INV-77\nACME Ltd\nInvoice date: 2026-01-05\nTotal: 120.00 EUR\n" }]);
  await expect(row(second, "live-invoice.txt").getByText("Ready for review")).toBeVisible();

  await first.locator('[data-upload="live-invoice.txt"]').getByRole("link", { name: "Review live-invoice.txt" }).click();
  await second.getByRole("link", { name: "Review live-invoice.txt" }).click();
  await first.getByLabel("Issuer", { exact: true }).fill("ACME Limited");
  await second.getByLabel("Notes", { exact: true }).fill("Checked against the purchase order.");
  await second.getByRole("button", { name: "Save edits" }).click();
  await expect(second.getByText("Saved.")).toBeVisible();

  // The first tab hears of the save, loads it under its own unsaved edit and says so.
  await expect(first.getByTestId("conflict")).toContainText("your unsaved edits are kept");
  await expect(first.getByLabel("Issuer", { exact: true })).toHaveValue("ACME Limited");
  await expect(first.getByLabel("Notes", { exact: true })).toHaveValue("Checked against the purchase order.");
  await first.getByRole("button", { name: /Approve/ }).click();

  await second.getByRole("link", { name: "Dashboard" }).click();
  await expect(row(second, "live-invoice.txt").getByText("Finalised")).toBeVisible();
  await row(second, "live-invoice.txt").getByRole("link", { name: "live-invoice.txt", exact: true }).click();
  await expect(second.getByRole("row", { name: /Issuer/ })).toContainText("ACME Limited");
});

test("the screens work at phone width and from the keyboard", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, name] of [["/", "dashboard-phone"], ["/review", "review-phone"], ["/upload", "upload-phone"]] as const) {
    await page.goto(path);
    await expect(page.getByText("Live", { exact: true })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} scrolls sideways at phone width`).toBeLessThanOrEqual(0);
    await screenshot(page, name);
    await expectAccessible(page);
  }
  // Each document waiting for review, not only the first: their texts differ (a JSON key path is one long word).
  await page.goto("/review");
  const queue = page.getByRole("complementary", { name: /Waiting for review/ }).getByRole("link");
  for (const name of await queue.allTextContents()) {
    await queue.filter({ hasText: name }).click();
    await expect(page.getByRole("heading", { level: 2, name, exact: true })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `the review of ${name} scrolls sideways at phone width`).toBeLessThanOrEqual(0);
  }

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Upload", exact: true })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Upload documents" })).toBeVisible();
  const outline = await page.evaluate(() => {
    const label = document.querySelector("label.btn-primary")!;
    (label.querySelector("input") as HTMLInputElement).focus();
    return getComputedStyle(label).outlineStyle;
  });
  expect(outline).toBe("solid");
});
