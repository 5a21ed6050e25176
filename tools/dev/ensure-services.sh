#!/usr/bin/env bash
# Makes sure Postgres and Redis answer on 127.0.0.1 (or where DATABASE_URL / REDIS_URL point).
# Order: use running ones; else start them with Docker if an engine runs; else, on Debian or
# Ubuntu, install and start them from the distribution's packages; else print what to run.
set -euo pipefail

PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}

say() { printf '[services] %s\n' "$*"; }

pg_up() { node -e "
  const s=require('net').connect(${PG_PORT},'${PG_HOST}');
  s.on('connect',()=>{s.end();process.exit(0)});s.on('error',()=>process.exit(1));
  setTimeout(()=>process.exit(1),1500);"; }
redis_up() { node -e "
  const s=require('net').connect(${REDIS_PORT},'${REDIS_HOST}');
  s.on('connect',()=>s.write('PING\r\n'));s.on('data',d=>process.exit(String(d).startsWith('+PONG')?0:1));
  s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(1),1500);"; }

wait_up() { # name check
  for _ in $(seq 1 60); do "$2" && return 0; sleep 0.5; done
  say "$1 did not come up"; return 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

start_with_docker() {
  command -v docker >/dev/null && docker info >/dev/null 2>&1 || return 1
  say "starting $1 with docker compose"
  docker compose -f deploy/compose.dev.yml up -d "$1"
}

start_pg_debian() {
  command -v apt-get >/dev/null || return 1
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    say "installing PostgreSQL from the distribution's packages (apt-get install postgresql)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
  fi
  local version; version=$(ls /etc/postgresql | sort -V | tail -1)
  say "starting PostgreSQL $version (pg_ctlcluster)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || as_root pg_ctlcluster "$version" main start || return 1
  wait_up postgres pg_up || return 1
  # Local development uses the postgres role without a password over TCP on loopback only.
  if ! PGCONNECT_TIMEOUT=2 psql -h "$PG_HOST" -U postgres -c 'select 1' >/dev/null 2>&1; then
    local hba; hba=$(ls /etc/postgresql/"$version"/main/pg_hba.conf)
    say "allowing trust auth for postgres on 127.0.0.1 in $hba (local development only)"
    as_root sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload || as_root pg_ctlcluster "$version" main reload
  fi
}

start_redis_debian() {
  command -v apt-get >/dev/null || return 1
  if ! command -v redis-server >/dev/null; then
    say "installing Redis from the distribution's packages (apt-get install redis-server)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null || return 1
  fi
  say "starting redis-server on ${REDIS_HOST}:${REDIS_PORT}"
  mkdir -p /tmp/autocoder-redis
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /tmp/autocoder-redis --logfile /tmp/autocoder-redis/redis.log
}

ok=1
if pg_up; then say "postgres is up on ${PG_HOST}:${PG_PORT}"
elif start_with_docker postgres && wait_up postgres pg_up; then :
elif start_pg_debian && pg_up; then :
else
  ok=0
  say "PostgreSQL is not reachable on ${PG_HOST}:${PG_PORT} and could not be started here. Run one of:"
  say "  docker compose -f deploy/compose.dev.yml up -d postgres"
  say "  sudo apt-get install -y postgresql && sudo pg_ctlcluster \$(ls /etc/postgresql) main start"
fi

if redis_up; then say "redis is up on ${REDIS_HOST}:${REDIS_PORT}"
elif start_with_docker redis && wait_up redis redis_up; then :
elif start_redis_debian && wait_up redis redis_up; then :
else
  ok=0
  say "Redis is not reachable on ${REDIS_HOST}:${REDIS_PORT} and could not be started here. Run one of:"
  say "  docker compose -f deploy/compose.dev.yml up -d redis"
  say "  sudo apt-get install -y redis-server && redis-server --daemonize yes --bind 127.0.0.1 --port 6379"
fi

[ "$ok" = 1 ]
