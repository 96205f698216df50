#!/usr/bin/env bash
# Stops a PostgreSQL started by pg-start.sh and removes its directory.
set -uo pipefail
dir=${1:?usage: pg-stop.sh DIR}
[ -f "$dir/bin-path" ] || exit 0
bin=$(cat "$dir/bin-path")
run_as=()
[ "$(id -u)" = 0 ] && run_as=(runuser -u postgres --)
"${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
rm -rf "$dir"
