#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on 127.0.0.1 and prints its URL on stdout.
#   pg-start.sh DIR [PORT]   →  postgres://agentpr@127.0.0.1:PORT/agentpr
# Stop it with: pg-stop.sh DIR
set -euo pipefail
dir=${1:?usage: pg-start.sh DIR [PORT]}
port=${2:-54329}
bin=""
for cand in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent)")" /usr/lib/postgresql/*/bin; do
  if [ -x "$cand/initdb" ] && [ -x "$cand/pg_ctl" ]; then bin=$cand; break; fi
done
if [ -z "$bin" ]; then
  echo "pg-start: installing PostgreSQL from Debian packages" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
  for cand in /usr/lib/postgresql/*/bin; do [ -x "$cand/initdb" ] && bin=$cand; done
fi
[ -n "$bin" ] || { echo "pg-start: no initdb found and apt-get install postgresql failed" >&2; exit 1; }
mkdir -p "$dir"
run_as=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown -R postgres "$dir"
  # The server runs as postgres: it must be able to reach $dir (mktemp -d makes 0700 parents).
  p=$(dirname "$dir"); while [ "$p" != / ] && [ "$p" != . ]; do chmod a+x "$p" 2>/dev/null || true; p=$(dirname "$p"); done
  run_as=(runuser -u postgres --)
fi
"${run_as[@]}" "$bin/initdb" -D "$dir/data" -U agentpr --auth=trust --locale=C -E UTF8 >"$dir/initdb.log" 2>&1
"${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" start >&2
"${run_as[@]}" "$bin/postgres" --version >/dev/null 2>&1 || true
psql "postgres://agentpr@127.0.0.1:$port/postgres" -qc "create database agentpr" >/dev/null
echo "$bin" > "$dir/bin-path"
echo "postgres://agentpr@127.0.0.1:$port/agentpr"
