// Starts a real Docket server for the browser tests: a fresh data folder inside test-results,
// the built UI from dist/, and a change feed that polls quickly so tests do not wait for seconds.
// A test may start a second one (DOCKET_E2E_PORT, DOCKET_E2E_DATA) with settings of its own as arguments.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const repo = join(web, "..");
const configuration = process.env.DOCKET_CONFIGURATION ?? "Release";
const server = join(repo, "src/Docket.Server/bin", configuration, "net10.0/docket.dll");
const port = process.env.DOCKET_E2E_PORT ?? "18507";
const data = join(web, "test-results", process.env.DOCKET_E2E_DATA ?? "server-data");

if (!existsSync(server)) throw new Error(`No server at ${server}; build src/Docket.Server (${configuration}) first.`);
if (!existsSync(join(web, "dist", "index.html"))) throw new Error("No built UI in web/dist; run `npm run build` first.");
rmSync(data, { recursive: true, force: true });
mkdirSync(data, { recursive: true });

const child = spawn("dotnet", [
  server, "serve", "--urls", `http://127.0.0.1:${port}`,
  `--Docket:DataDirectory=${data}`,
  `--Web:Root=${join(web, "dist")}`,
  "--Streams:FeedPollInterval=00:00:00.200",
  "--Queue:PollInterval=00:00:00.100",
  // The first admin, whom the tests sign in as (helpers.ts); every test signs in once, from one address.
  "--Auth:Admin:Email=e2e@docket.local",
  "--Auth:Admin:Password=a password for the browser tests",
  // Sign-in only: uploads run at the server's default limits, as a user's would.
  "--RateLimits:SignInPerIpPerMinute=1000",
  ...process.argv.slice(2),
], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
