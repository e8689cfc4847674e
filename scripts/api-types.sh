#!/usr/bin/env bash
# Regenerates web/src/api/schema.d.ts from the OpenAPI document of a freshly built server
# (`--check`: fails when the committed file differs). Expects the server built in $CONFIGURATION
# (default Release) and web/node_modules installed.
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=${CONFIGURATION:-Release}
server=src/Docket.Server/bin/$configuration/net10.0/docket.dll
[ -f "$server" ] || { echo "No server at $server; build it first." >&2; exit 1; }

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
data=$(mktemp -d)
dotnet "$server" serve --urls "http://127.0.0.1:$port" --no-worker --Docket:DataDirectory="$data" > "$data/server.log" 2>&1 &
pid=$!
# The killed server's exit status is not this script's (set -e would make it so inside the trap).
trap 'kill $pid 2> /dev/null || true; wait $pid 2> /dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/health/live" > /dev/null 2>&1 && break
  kill -0 $pid 2> /dev/null || { cat "$data/server.log" >&2; exit 1; }
  sleep 0.2
done
(cd web && node scripts/api-types.mjs "http://127.0.0.1:$port/api/v1/openapi.json" "$@")
