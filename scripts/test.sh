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
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$test_status" -eq 0 ]
