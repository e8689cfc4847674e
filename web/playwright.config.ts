import { defineConfig } from "@playwright/test";

const port = process.env.DOCKET_E2E_PORT ?? "18507";
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "e2e",
  // One server, one browser at a time: the tests share the server's documents and the machine has two cores.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL,
    // Debian's chromium, never a downloaded one; these flags keep it off the network it cannot reach.
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    trace: "off",
  },
  webServer: {
    command: "node e2e/serve.mjs",
    url: `${baseURL}/health/ready`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
  },
});
