#!/bin/bash
# The lab's PostgreSQL: postgres-app.sh DIR PORT [scram]. One cluster per host under DIR, made on the first start
# (initdb: superuser postgres, no fsync; the hosts share one file system, so each gets its own DIR), then PostgreSQL
# in the foreground on 127.0.0.1:PORT as the postgres user (it refuses to run as root). exec'd, so the app's pid is
# the postmaster's, which owns the listener.
#   authentication: trust; with scram, SCRAM-SHA-256 for TCP, postgres's password "understudy-lab", its verifier
#   the same on every host (a fixed salt, so both servers check a client's proof alike).
# The environment passes through: LD_PRELOAD and UNDERSTUDY_SHIM_SOCKET load the understudy-shim (README).
set -euo pipefail
(($# == 2 || $# == 3)) && [[ ${3:-scram} == scram ]] || { echo "usage: postgres-app.sh DIR PORT [scram]" >&2; exit 2; }
dir=$1 port=$2 auth=${3:-trust}
# The verifier of the password understudy-lab with the salt "understudy lab s" (PBKDF2-SHA-256, 4096 rounds).
verifier='SCRAM-SHA-256$4096:dW5kZXJzdHVkeSBsYWIgcw==$mSaE7+8NRo1evoQ/PoE6iS+a3TnyWKZkeS+MG8n+UaM=:YQVEz63T9F+gXl15TEVCOTjDtbjTqQ06H8OjxcUYT9A='

bin=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)
[[ -x $bin/postgres ]] || { echo "postgres-app.sh: no PostgreSQL under /usr/lib/postgresql (install postgresql)" >&2; exit 1; }
as_postgres() { setpriv --reuid=postgres --regid=postgres --clear-groups "$@"; }
if [[ ! -f $dir/data/PG_VERSION ]]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  chown postgres: "$dir"
  as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  if [[ $auth == scram ]]; then
    echo "ALTER ROLE postgres PASSWORD '$verifier';" |
      as_postgres "$bin/postgres" --single -D "$dir/data" -F postgres >"$dir/single.log" 2>&1 ||
      { cat "$dir/single.log" >&2; exit 1; }
    sed -i 's/^\(host .*\)trust$/\1scram-sha-256/' "$dir/data/pg_hba.conf"
  fi
fi
exec setpriv --reuid=postgres --regid=postgres --clear-groups "$bin/postgres" -D "$dir/data" -p "$port" \
  -c listen_addresses=127.0.0.1 -c unix_socket_directories="$dir" -c max_connections=200 -c shared_buffers=16MB \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off
