#!/usr/bin/env bash
# `make bench`: builds Release, starts a throwaway PostgreSQL and Redis of its own (never the ones
# `make test` uses), runs every scenario of bench/Docket.Bench RUNS times and rewrites the generated
# part of docs/benchmarks.md. ONLY=queue,pdf runs a subset; the other scenarios keep their figures.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
only=${ONLY:-}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet build src/Docket.Server -c Release -nologo -v quiet
dotnet build bench/Docket.Bench -c Release -nologo -v quiet

export DOCKET_SERVICES_ROOT=${DOCKET_BENCH_SERVICES_ROOT:-/tmp/docket-bench-services}
export DOCKET_TEST_PG_PORT=${DOCKET_BENCH_PG_PORT:-55442} DOCKET_TEST_REDIS_PORT=${DOCKET_BENCH_REDIS_PORT:-56389}
source scripts/test-services.sh start
trap 'source scripts/test-services.sh stop' EXIT
export DOCKET_BENCH_POSTGRES=$DOCKET_TEST_POSTGRES DOCKET_BENCH_REDIS=$DOCKET_TEST_REDIS

dotnet bench/Docket.Bench/bin/Release/net10.0/Docket.Bench.dll suite --runs "$runs" ${only:+--only "$only"} --write docs/benchmarks.md
