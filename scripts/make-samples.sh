#!/usr/bin/env bash
# Runs samples/inputs through a real Docket (its own throwaway data folder), approves every
# document as a reviewer would, and writes the exports to samples/outputs.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${SAMPLES_PORT:-8097}
base="http://127.0.0.1:${port}/api/v1"
data=$(mktemp -d)
# The throwaway server's first admin, made from configuration at its first start.
email=samples@docket.local
password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
dotnet build src/Docket.Server -c Release -v quiet -nologo | tail -n 2
Docket__DataDirectory="$data" Auth__Admin__Email="$email" Auth__Admin__Password="$password" \
  dotnet src/Docket.Server/bin/Release/net10.0/docket.dll serve --urls "http://127.0.0.1:${port}" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT

for _ in $(seq 1 100); do curl -fs "$base/health/ready" > /dev/null && break; sleep 0.2; done

token=$(curl -fs -X POST -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$base/auth/login" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
auth=(-H "Authorization: Bearer $token")

args=()
for file in samples/inputs/*; do args+=(-F "files=@${file}"); done
ids=$(curl -fs "${auth[@]}" "${args[@]}" "$base/documents" | python3 -c 'import json,sys; print(" ".join(d["id"] for d in json.load(sys.stdin)["documents"]))')

for id in $ids; do
  for _ in $(seq 1 200); do
    status=$(curl -fs "${auth[@]}" "$base/documents/$id/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    [ "$status" = processed ] && break
    [ "$status" = failed ] && { echo "document $id failed"; exit 1; }
    sleep 0.1
  done
  curl -fs "${auth[@]}" -X POST "$base/review/$id/approve" > /dev/null
done

curl -fs "${auth[@]}" "$base/export?format=json" -o samples/outputs/export.json
curl -fs "${auth[@]}" "$base/export?format=csv" -o samples/outputs/export.csv
echo "Wrote samples/outputs/export.json and samples/outputs/export.csv from $(echo $ids | wc -w) documents."
