#!/usr/bin/env bash
# `make cluster`: Docket distributed on this machine, from Debian packages: PostgreSQL, Redis,
# two API nodes behind nginx on http://127.0.0.1:8080, and three workers sharing one file folder.
# `make cluster-down` stops it. State lives under data/cluster (kept across runs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

root=${CLUSTER_ROOT:-$PWD/data/cluster}
pg_port=${CLUSTER_PG_PORT:-5433}
redis_port=${CLUSTER_REDIS_PORT:-6380}
http_port=${CLUSTER_HTTP_PORT:-8080}
api_ports=(8081 8082)
workers=${CLUSTER_WORKERS:-3}
docket="$PWD/src/Docket.Server/bin/Release/net10.0/docket.dll"

down() {
  local pids=()
  for pidfile in "$root"/pids/*.pid; do
    [ -f "$pidfile" ] || continue
    pids+=("$(cat "$pidfile")")
    rm -f "$pidfile"
  done
  # SIGTERM lets workers finish the job in hand; whatever is still running after 30 s is killed
  # (its lease expires and the job runs again elsewhere).
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2> /dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "${pids[@]}" 2> /dev/null || break
    sleep 0.5
  done
  [ ${#pids[@]} -gt 0 ] && kill -9 "${pids[@]}" 2> /dev/null || true
  [ -f "$root/nginx.pid" ] && nginx -c "$root/nginx.conf" -p "$root" -s quit 2> /dev/null || true
  [ -f "$root/redis.pid" ] && kill "$(cat "$root/redis.pid")" 2> /dev/null || true
  [ -f "$root/pg/postmaster.pid" ] && as_postgres "$(pg_bin)/pg_ctl -D '$root/pg' -m fast stop" > /dev/null 2>&1 || true
  echo "Cluster stopped."
}

start_process() { # name, command...
  local name=$1
  shift
  nohup "$@" > "$root/logs/$name.log" 2>&1 &
  echo $! > "$root/pids/$name.pid"
}

up() {
  apt_install postgresql redis-server nginx
  bash scripts/runtime-deps.sh # the workers' extraction tools
  dotnet build src/Docket.Server -c Release -nologo -v quiet > /dev/null
  mkdir -p "$root"/{logs,pids,files,nginx-temp}
  # PostgreSQL runs as the postgres user and writes its log here.
  chmod 777 "$root" "$root/logs"

  local bin
  bin=$(pg_bin)
  if [ ! -f "$root/pg/PG_VERSION" ]; then
    as_postgres "$bin/initdb -D '$root/pg' --auth=trust --username=postgres -E UTF8 --no-locale" > /dev/null
  fi
  as_postgres "$bin/pg_ctl -D '$root/pg' -l '$root/logs/postgres.log' -w -o \"-p $pg_port -k '$root' -c listen_addresses=127.0.0.1\" start" > /dev/null
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'docket'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE docket"

  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$root/redis.pid" --logfile "$root/logs/redis.log"

  export Database__Provider=postgres
  export Database__ConnectionString="Host=127.0.0.1;Port=$pg_port;Database=docket;Username=postgres"
  export Bus__Provider=redis
  export Bus__Redis="127.0.0.1:$redis_port"
  export Storage__Root="$root/files"
  export Docket__DataDirectory="$root"
  dotnet "$docket" migrate

  for port in "${api_ports[@]}"; do
    start_process "api-$port" dotnet "$docket" serve --no-worker --urls "http://127.0.0.1:$port"
  done
  for i in $(seq 1 "$workers"); do
    start_process "worker-$i" dotnet "$docket" worker
  done

  # deploy/nginx.conf, pointed at the local API nodes instead of the compose service name.
  local servers=""
  for port in "${api_ports[@]}"; do servers+="    server 127.0.0.1:$port;\n"; done
  sed -e "s|    server api:8080;|$servers|" -e "s|listen 80;|listen 127.0.0.1:$http_port;|" deploy/nginx.conf > "$root/docket-site.conf"
  cat > "$root/nginx.conf" <<NGINX
worker_processes 1;
pid $root/nginx.pid;
error_log $root/logs/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log $root/logs/nginx-access.log;
    client_body_temp_path $root/nginx-temp/body;
    proxy_temp_path $root/nginx-temp/proxy;
    fastcgi_temp_path $root/nginx-temp/fastcgi;
    uwsgi_temp_path $root/nginx-temp/uwsgi;
    scgi_temp_path $root/nginx-temp/scgi;
    include $root/docket-site.conf;
}
NGINX
  nginx -t -c "$root/nginx.conf" -p "$root" > /dev/null 2>&1 || { nginx -t -c "$root/nginx.conf" -p "$root"; exit 1; }
  nginx -c "$root/nginx.conf" -p "$root"

  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$http_port/health/ready" > /dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fs "http://127.0.0.1:$http_port/health/ready" > /dev/null || { echo "The cluster did not become ready; see $root/logs"; exit 1; }
  echo "Docket cluster: http://127.0.0.1:$http_port (API nodes ${api_ports[*]}, $workers workers, PostgreSQL :$pg_port, Redis :$redis_port; logs in $root/logs)"
  if [ -f "$root/initial-admin-password" ]; then
    echo "Sign in as admin@docket.local with the password in $root/initial-admin-password (POST /api/v1/auth/login)."
  else
    echo "Sign in with your account; \`dotnet $docket users create EMAIL --admin\` (with the settings above) adds one."
  fi
}

case "${1:-up}" in
  up) down > /dev/null; up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
