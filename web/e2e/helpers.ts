import AxeBuilder from "@axe-core/playwright";
import { expect, type BrowserContext, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The seed sample files, as the repository keeps them. */
export const samples = ["sample-invoice.csv", "sample-letter.txt", "sample-memo.md", "sample-report.txt", "sample-technical-doc.json"]
  .map((name) => join(repo, "samples", "inputs", name));

/** The first admin that e2e/serve.mjs configures. */
export const admin = { email: "e2e@docket.local", password: "a password for the browser tests" };

/**
 * Starts a browser session for the context as the sign-in page does (cookie: true): the session
 * and CSRF cookies land in the context's cookie jar, which its pages share.
 */
export async function signIn(context: BrowserContext) {
  const response = await context.request.post("/api/v1/auth/login", { data: { ...admin, cookie: true } });
  expect(response.status()).toBe(200);
}

/** Saves the screen for the README (docs/screenshots/NAME.png). */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: join(repo, "docs", "screenshots", `${name}.png`), fullPage: true });
}

/** axe-core in the page: no serious or critical violation of WCAG 2.1 A/AA. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

export type DroppedFile = { name: string; content: string | Buffer; type?: string };

export function fromDisk(path: string): DroppedFile {
  return { name: basename(path), content: readFileSync(path) };
}

/** Drops files on the drop zone the way a browser does after a drag from the desktop. */
export async function dropFiles(page: Page, files: DroppedFile[]) {
  const payload = files.map((f) => ({ name: f.name, type: f.type ?? "", base64: Buffer.from(f.content).toString("base64") }));
  const transfer = await page.evaluateHandle((items) => {
    const data = new DataTransfer();
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.base64), (c) => c.charCodeAt(0));
      data.items.add(new File([bytes], item.name, { type: item.type }));
    }
    return data;
  }, payload);
  const zone = page.getByTestId("drop-zone");
  await zone.dispatchEvent("dragover", { dataTransfer: transfer });
  await zone.dispatchEvent("drop", { dataTransfer: transfer });
}

/** The dashboard row of a file (the newest, when a name was uploaded more than once). */
export function row(page: Page, filename: string) {
  return page.locator("tbody tr").filter({ has: page.getByRole("link", { name: filename, exact: true }) }).first();
}

/** RFC 4180 records: quoted cells may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) { row.push(cell); rows.push(row); }
  return rows;
}
