#!/usr/bin/env bash
# Runs units of Redis's own Tcl test suite (redis/redis at tag 7.0.15) against Kioku in external mode,
# restarting Kioku between units (the suite flushes the target and leaves CONFIG changes behind), and
# prints a pass count per unit.
#
#   scripts/redis-tcl-suite.sh [unit ...]        e.g. scripts/redis-tcl-suite.sh unit/type/string unit/keyspace
#   scripts/redis-tcl-suite.sh integration/aof   integration/* units: the suite starts Kioku itself
#   scripts/redis-tcl-suite.sh unit/maxmemory    so do the units whose tests are all external:skip
#                                                (maxmemory, obuf-limits, limits, querybuf)
#
# The suite is not part of this repository and is never committed. Put `runtest` and `tests/` of
# redis/redis at tag 7.0.15 into .redis-tests/ (git-ignored), for example from a clone of redis/redis:
#   git --git-dir=PATH/TO/redis/.git archive 7.0.15 tests runtest | tar -x -C .redis-tests
# Needs tclsh (Debian package tcl) and a built Kioku (npm run build).
set -uo pipefail
cd "$(dirname "$0")/.."
SUITE=${REDIS_TESTS_DIR:-.redis-tests}
PORT=${KIOKU_TCL_PORT:-21111}
# Tags Kioku cannot serve yet: replication, DEBUG helpers beyond RELOAD/DIGEST, cluster.
TAGS=${KIOKU_TCL_TAGS:--needs:repl -needs:debug -needs:latency -needs:pfdebug -cluster:skip}
# Extra runtest arguments, e.g. KIOKU_TCL_ARGS='--skiptest /BUSY' to step over a test that needs
# something Kioku lacks (an exception ends the unit there).
read -r -a EXTRA <<<"${KIOKU_TCL_ARGS:-}"
UNITS=("$@")
[ ${#UNITS[@]} -gt 0 ] || UNITS=(unit/type/string unit/keyspace unit/expire unit/protocol unit/info unit/info-command unit/quit unit/auth unit/slowlog unit/scan unit/introspection unit/other unit/querybuf unit/limits unit/networking)

if [ ! -x "$SUITE/runtest" ]; then
  echo "no Redis test suite in $SUITE (see the header of this script)" >&2
  exit 2
fi
command -v tclsh >/dev/null || { echo "tclsh is missing (apt-get install -y tcl)" >&2; exit 2; }
[ -f dist/main.js ] || npm run build --silent

kioku_pid=""
kioku_dir=""
stop_kioku() {
  [ -n "$kioku_pid" ] && kill "$kioku_pid" 2>/dev/null && wait "$kioku_pid" 2>/dev/null
  [ -n "$kioku_dir" ] && rm -rf "$kioku_dir"
  kioku_pid=""
  kioku_dir=""
}
trap stop_kioku EXIT

# Kioku works in a fresh directory per unit: the suite's SAVE / DEBUG RELOAD and the save on
# shutdown write there, and no unit starts with the dataset another one left behind.
start_kioku() {
  local log=$1
  kioku_dir=$(mktemp -d)
  bin/kioku-server --port "$PORT" --bind 127.0.0.1 --loglevel warning --dir "$kioku_dir" >"$log" 2>&1 &
  kioku_pid=$!
  for _ in $(seq 1 100); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "Kioku did not start; see $log" >&2
  return 1
}

# integration/* units start and restart servers themselves (persistence, AOF, RDB): the harness
# runs $SUITE/src/redis-server, which becomes a wrapper of bin/kioku-server here, and
# src/redis-check-aof one of bin/kioku-check-aof (src/ is part of the git-ignored suite folder).
make_wrappers() {
  mkdir -p "$SUITE/src"
  printf '#!/bin/sh\nexec "%s/bin/kioku-server" "$@"\n' "$PWD" >"$SUITE/src/redis-server"
  printf '#!/bin/sh\nexec "%s/bin/kioku-check-aof" "$@"\n' "$PWD" >"$SUITE/src/redis-check-aof"
  chmod +x "$SUITE/src/redis-server" "$SUITE/src/redis-check-aof"
  for tool in redis-cli redis-benchmark redis-check-rdb; do
    command -v "$tool" >/dev/null && ln -sf "$(command -v "$tool")" "$SUITE/src/$tool"
  done
}

summary=()
for unit in "${UNITS[@]}"; do
  out=$(mktemp)
  if [[ "$unit" == integration/* || " unit/maxmemory unit/obuf-limits unit/limits unit/querybuf " == *" $unit "* ]]; then
    make_wrappers
    # shellcheck disable=SC2086
    (cd "$SUITE" && timeout 900 ./runtest --single "$unit" --tags "$TAGS" --timeout 60 --clients 1 "${EXTRA[@]}") >"$out" 2>&1
  else
    start_kioku "$out.server" || exit 1
    # shellcheck disable=SC2086
    (cd "$SUITE" && timeout 600 ./runtest --host 127.0.0.1 --port "$PORT" --single "$unit" --tags "$TAGS" --timeout 60 --clients 1 "${EXTRA[@]}") >"$out" 2>&1
    stop_kioku
  fi
  sed -i -r 's/\x1b\[[0-9;]*m//g' "$out"
  ok=$(grep -c '^\[ok\]' "$out")
  err=$(grep -c '^\[err\]' "$out")
  exc=$(grep -c '^\[exception\]' "$out")
  skip=$(grep -c '^\[skip\]' "$out")
  summary+=("$(printf '%-26s ok %4d  err %4d  exception %d  skipped %d' "$unit" "$ok" "$err" "$exc" "$skip")")
  if [ "${KIOKU_TCL_VERBOSE:-0}" = 1 ]; then grep -E '^\[(err|exception)\]|^Expected|^Killing' "$out"; fi
  echo "${summary[-1]}   (log: $out)"
done
echo
printf '%s\n' "${summary[@]}"
