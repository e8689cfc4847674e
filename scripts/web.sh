#!/usr/bin/env bash
# The web UI's toolchain: `web.sh install` (Node.js and web/node_modules), `web.sh build` (web/dist).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# Node.js from Debian when the machine has none; Vite 7 needs 20.19 or newer.
ensure_node() {
  command -v node > /dev/null 2>&1 || apt_install nodejs npm
  command -v npm > /dev/null 2>&1 || apt_install npm
}

# Installs only when package-lock.json is newer than the last install (npm records one in node_modules).
# `npm install`, not `npm ci`: the registry here lacks other platforms' builds of optional native
# packages (Tailwind's oxide for macOS, Windows...), so the lock file cannot list them and npm ci's
# strict check refuses it. npm install takes the locked versions all the same.
ensure_modules() {
  if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    (cd web && npm install --no-audit --no-fund --loglevel=error)
  fi
}

case "${1:-build}" in
  install) ensure_node && ensure_modules ;;
  build) ensure_node && ensure_modules && (cd web && npm run --silent build) ;;
  *) echo "usage: web.sh install|build" >&2; exit 2 ;;
esac
