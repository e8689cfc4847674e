#!/usr/bin/env bash
# Installs what the tests need, runs every test project, and ends with one line CI can read:
# "N passed, N failed, N skipped". Exits non-zero when anything failed or did not build.
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log=$(mktemp)
# A throwaway PostgreSQL and Redis for the distributed-mode tests; gone again when the run ends.
source scripts/test-services.sh start || { echo "0 passed, 1 failed"; exit 1; }
trap 'source scripts/test-services.sh stop; rm -f "$log"' EXIT

dotnet build Docket.slnx -c Debug 2>&1 | tail -n 3
build_status=${PIPESTATUS[0]}
if [ "$build_status" -ne 0 ]; then
  dotnet build Docket.slnx -c Debug 2>&1 | grep -E "error" | sort -u | head -n 40
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test Docket.slnx -c Debug --no-build 2>&1 | tee "$log" | grep -vE "^\s+at |^\s*$"
test_status=${PIPESTATUS[0]}

# dotnet test prints one summary per test project: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, ...".
read -r passed failed skipped < <(grep -E "(Passed|Failed)! +- Failed: " "$log" \
  | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {printf "%d %d %d\n", p, f, s}')
if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

# The web UI: its build (type check included), the API types against this server's OpenAPI
# document, Vitest for components, Playwright in Debian's chromium against a real server.
count() { passed=$((passed + $1)); failed=$((failed + $2)); skipped=$((skipped + ${3:-0})); }
web_step() { # NAME COMMAND...: one check that passes or fails as a whole
  local name=$1; shift
  if "$@"; then count 1 0; else echo "FAILED: $name"; count 0 1; test_status=1; return 1; fi
}
if web_step "web toolchain (Node.js, npm install)" bash scripts/web.sh install; then
  web_step "web build (tsc, vite)" bash -c "cd web && npm run --silent build"
  web_step "API types match the server's OpenAPI document" env CONFIGURATION=Debug bash scripts/api-types.sh --check

  rm -f web/test-results/vitest.json web/test-results/e2e.json
  (cd web && npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json) || test_status=1
  if [ -f web/test-results/vitest.json ]; then
    count $(node -e "const r=require('./web/test-results/vitest.json'); console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests)")
  else count 0 1; fi

  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  (cd web && DOCKET_CONFIGURATION=Debug DOCKET_E2E_PORT=$port npx playwright test) || test_status=1
  if [ -f web/test-results/e2e.json ]; then
    count $(node -e "const s=require('./web/test-results/e2e.json').stats; console.log(s.expected, s.unexpected + s.flaky, s.skipped)")
  else count 0 1; fi
fi

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$test_status" -eq 0 ]
