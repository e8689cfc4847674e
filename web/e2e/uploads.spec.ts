import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { dropFiles, signIn, type DroppedFile } from "./helpers";

// After flows.spec.ts (files run in name order, one at a time): the piles below keep the server's
// workers busy for a while, and the flows wait for their own documents to be processed.
test.describe.configure({ mode: "serial" });

/** Small text files that all differ, so that none is taken for a duplicate of another. */
function pile(prefix: string, count: number): DroppedFile[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-${String(i + 1).padStart(3, "0")}.txt`,
    content: `Note ${i + 1} of ${count} in the ${prefix} pile.\n`,
    type: "text/plain",
  }));
}

/** Every filename the server holds, however many pages that takes. */
async function storedNames(request: APIRequestContext): Promise<string[]> {
  const names: string[] = [];
  for (let page = 1; ; page++) {
    const response = await request.get(`/api/v1/documents?page=${page}&page_size=200&sort=filename&order=asc`);
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { items: { filename: string }[]; total_pages: number };
    names.push(...body.items.map((item) => item.filename));
    if (page >= body.total_pages) return names;
  }
}

type Attempt = { key: string | null; status: number };

/** Each upload request the page sends: its Idempotency-Key and the status it was answered with. */
function recordUploads(page: Page): Attempt[] {
  const attempts: Attempt[] = [];
  page.on("response", (response) => {
    const request = response.request();
    if (request.method() === "POST" && new URL(request.url()).pathname === "/api/v1/documents") {
      attempts.push({ key: request.headers()["idempotency-key"] ?? null, status: response.status() });
    }
  });
  return attempts;
}

/** Notes whether the upload list ever showed a refusal or a wait, however briefly. */
async function watchUploadList(page: Page) {
  await page.addInitScript(() => {
    const seen = { refused: false, waitingAsAsked: false };
    (window as unknown as { uploadsSeen: typeof seen }).uploadsSeen = seen;
    new MutationObserver(() => {
      const list = document.querySelector('[aria-label="Uploads"]');
      if (!list) return;
      if (list.querySelector('[data-phase="refused"]') || list.textContent?.includes("Refused")) seen.refused = true;
      if (list.textContent?.includes("Waiting: the server asked to wait")) seen.waitingAsAsked = true;
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { uploadsSeen: { refused: boolean; waitingAsAsked: boolean } }).uploadsSeen);
}

test("300 files dropped at once are all uploaded at the default limits, and the list is still there after a visit to the dashboard", async ({ page, context }) => {
  test.setTimeout(240_000);
  await signIn(context);
  const attempts = recordUploads(page);
  await page.goto("/upload");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();

  const files = pile("pile", 300);
  await dropFiles(page, files);
  const counts = page.getByTestId("upload-counts");
  await expect(counts).toHaveText("300 uploaded · 0 waiting · 0 refused", { timeout: 180_000 });
  await expect(page.locator('[data-upload][data-phase="uploaded"]')).toHaveCount(300);
  expect(attempts.filter((a) => a.status !== 201)).toEqual([]);
  expect(new Set(attempts.map((a) => a.key)).size).toBe(300);

  await page.getByRole("link", { name: "Dashboard" }).click();
  await expect(page.locator("tbody tr").first()).toBeVisible();
  await page.getByRole("link", { name: "Upload", exact: true }).click();
  await expect(counts).toHaveText("300 uploaded · 0 waiting · 0 refused");
  await expect(page.locator("[data-upload]")).toHaveCount(300);
  await expect(page.locator('[data-upload="pile-300.txt"]').getByText("Uploaded.")).toBeVisible();

  const stored = (await storedNames(context.request)).filter((name) => name.startsWith("pile-"));
  expect(stored).toEqual(files.map((f) => f.name));
});

test.describe("against a server that takes 5 files at once and 1 a second after that", () => {
  let server: ChildProcess | undefined;
  let baseURL = "";

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    const port = await freePort();
    baseURL = `http://127.0.0.1:${port}`;
    server = spawn("node", [join(dirname(fileURLToPath(import.meta.url)), "serve.mjs"),
      "--RateLimits:UploadFileBurst=5", "--RateLimits:UploadFilesPerSecond=1"], {
      env: { ...process.env, DOCKET_E2E_PORT: String(port), DOCKET_E2E_DATA: "server-data-small-budget" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    await waitUntilReady(`${baseURL}/health/ready`, server, 150_000);
  });

  test.afterAll(async () => {
    if (!server || server.exitCode !== null) return;
    const exited = once(server, "exit");
    server.kill("SIGTERM");
    await exited;
  });

  test("files the server asks to wait for wait, are sent again with their key, and are each stored once", async ({ browser }) => {
    test.setTimeout(120_000);
    const context = await browser.newContext({ baseURL });
    await signIn(context);
    const page = await context.newPage();
    const attempts = recordUploads(page);
    const seen = await watchUploadList(page);
    await page.goto("/upload");
    await expect(page.getByText("Live", { exact: true })).toBeVisible();

    const files = pile("budget", 12);
    await dropFiles(page, files);
    await expect(page.getByTestId("upload-counts")).toContainText("the server asked to wait");
    await expect(page.getByTestId("upload-counts")).toHaveText("12 uploaded · 0 waiting · 0 refused", { timeout: 90_000 });

    expect(await seen()).toEqual({ refused: false, waitingAsAsked: true });
    // Asked to wait, and every file sent again after the wait with the key of its first attempt.
    const waitedFor = attempts.filter((a) => a.status === 429).map((a) => a.key);
    const stored = attempts.filter((a) => a.status === 201).map((a) => a.key);
    expect(waitedFor.length).toBeGreaterThan(0);
    expect(attempts.filter((a) => a.status !== 201 && a.status !== 429)).toEqual([]);
    expect(attempts.every((a) => a.key !== null)).toBe(true);
    expect(new Set(stored).size).toBe(12);
    expect(stored).toHaveLength(12);
    for (const key of waitedFor) expect(stored).toContain(key);

    expect(await storedNames(context.request)).toEqual(files.map((f) => f.name));
    await context.close();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The second server exited with ${child.exitCode} before it was ready.`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`The second server was not ready at ${url} within ${timeoutMs / 1000} s.`);
}
