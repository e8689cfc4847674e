#!/usr/bin/env bash
# Installs (once) and starts a throwaway PostgreSQL and Redis on loopback for the tests.
# Source it: `source scripts/test-services.sh start` exports where they are; `... stop` ends them.
#   DOCKET_TEST_POSTGRES  Npgsql connection string of a superuser (each test creates its own database)
#   DOCKET_TEST_PG_BIN    PostgreSQL's bin folder (initdb, pg_ctl), for tests that run servers of their own
#   DOCKET_TEST_REDIS     host:port of a Redis server
#   DOCKET_TEST_REDIS_SERVER  the redis-server binary, for tests that restart Redis
set -u

services_root=${DOCKET_SERVICES_ROOT:-/tmp/docket-test-services}
pg_port=${DOCKET_TEST_PG_PORT:-55432}
redis_port=${DOCKET_TEST_REDIS_PORT:-56379}

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

services_start() {
  apt_install postgresql redis-server docker-compose nginx chromium || return 1
  # The extraction tools (poppler, tesseract with eng/deu/fra): the same list `make run` installs.
  bash "$(dirname "${BASH_SOURCE[0]}")/runtime-deps.sh" || return 1
  local pg_bin
  pg_bin=$(pg_bin)
  mkdir -p "$services_root"
  chmod 777 "$services_root"

  # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
  local pg_data="$services_root/pg"
  if [ ! -f "$pg_data/PG_VERSION" ]; then
    rm -rf "$pg_data"
    as_postgres "$pg_bin/initdb -D '$pg_data' --auth=trust --username=postgres -E UTF8 --no-locale" > /dev/null || return 1
  fi
  as_postgres "$pg_bin/pg_ctl -D '$pg_data' -l '$services_root/pg.log' -w -o \"-p $pg_port -k '$services_root' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\" start" > /dev/null \
    || { cat "$services_root/pg.log"; return 1; }

  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$services_root/redis.pid" --logfile "$services_root/redis.log" || return 1
  for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping > /dev/null 2>&1 && break; sleep 0.1; done

  export DOCKET_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
  export DOCKET_TEST_PG_BIN="$pg_bin"
  export DOCKET_TEST_REDIS="127.0.0.1:$redis_port"
  export DOCKET_TEST_REDIS_SERVER
  DOCKET_TEST_REDIS_SERVER=$(command -v redis-server)
  echo "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"
}

services_stop() {
  [ -f "$services_root/pg/postmaster.pid" ] && as_postgres "$(pg_bin)/pg_ctl -D '$services_root/pg' -m immediate stop" > /dev/null 2>&1
  [ -f "$services_root/redis.pid" ] && kill "$(cat "$services_root/redis.pid")" 2> /dev/null
  rm -rf "$services_root"
}

case "${1:-start}" in
  start) services_stop; services_start ;;
  stop) services_stop ;;
esac
