#!/usr/bin/env bash
# Shared by the scripts: install Debian packages the way this machine needs.

# apt_install PACKAGE...: installs what is missing. apt on a fresh machine can fail half-way (its
# cache is cleaned between dpkg runs), so a failure is repaired and retried once.
apt_install() {
  local missing=()
  for package in "$@"; do dpkg -s "$package" > /dev/null 2>&1 || missing+=("$package"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  [ -n "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ] || apt-get update -qq
  apt-get install -y -qq "${missing[@]}" > /dev/null \
    || { apt-get update -qq && apt-get -f install -y -qq > /dev/null && apt-get install -y -qq "${missing[@]}" > /dev/null; }
}

# pg_bin: the newest installed PostgreSQL's bin folder.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# as_postgres COMMAND: PostgreSQL refuses to run as root.
as_postgres() { su postgres -s /bin/sh -c "$1"; }
