#!/usr/bin/env bash
# Kioku vs real redis-server, same machine, same run: throughput, latency, server CPU per request,
# and memory with 1,000,000 keys. Prints one table with Kioku/Redis ratios and Kioku's targets:
#   GET/SET rps ≥ 0.9× redis-server at -P 1 and ≥ 0.7× at -P 16; the collection commands ≥ 0.8× at
#   -P 1 and ≥ 0.5× at -P 16; CPU per request ≤ 1.5×; RSS ≤ 1.5×.
#
#   scripts/bench.sh [--quick] [--rounds N] [--requests N] [--tests core,collections,ping,<test>,...]
#                    [--no-memory] [--no-build] [--keep-raw DIR]
#
# Tests: core = set,get,incr,mset,set1k (SET with 1 KB values); collections = lpush,rpush,lpop,rpop,
# sadd,hset,spop,zadd,zpopmin,lrange100,lrange600 (redis-benchmark's own tests of those names);
# pubsub = the fan-out of scripts/pubsub-bench.mjs (1 publisher, 100 subscribers; target ≥ 0.7×) and
# multi = MULTI + 10 SETs + EXEC of scripts/multi-bench.mjs (target ≥ 0.8×), which redis-benchmark
# cannot drive; persistence = scripts/persistence-bench.mjs: SET rps with appendonly yes under
# appendfsync always and everysec (target ≥ 0.8× at everysec) and the time to load a 1,000,000-key
# AOF and dump.rdb (on these ports). They run after the table, on servers of their own.
# Each test (redis-benchmark -c 50, at -P 1 and -P 16) runs N rounds (default 3), alternating
# Kioku and Redis; the table shows the median of the rounds.
# CPU per request is the server process's utime+stime (/proc/PID/stat) over the run divided by the
# requests. Memory: fresh servers, VmRSS empty, then after loading exactly 1,000,000 distinct keys
# (10-byte values) through `redis-cli --pipe`.
#
# Needs node (Kioku is started as users start it, `bin/kioku-server`) and Debian's redis-server and redis-tools.
# Ports: BENCH_KIOKU_PORT (default 7181) and BENCH_REDIS_PORT (default 7171), loopback only.
# KIOKU_NODE_FLAGS adds node/V8 flags to Kioku's command line (e.g. "--max-semi-space-size=32").
set -euo pipefail
cd "$(dirname "$0")/.."

KIOKU_PORT=${BENCH_KIOKU_PORT:-7181}
REDIS_PORT=${BENCH_REDIS_PORT:-7171}
ROUNDS=3
N_P1=200000       # requests per run at -P 1
N_P16=1000000     # requests per run at -P 16
TESTS="core,collections,pubsub,multi,persistence"
MEMORY=1
BUILD=1
KEEP_RAW=""
MEMORY_KEYS=1000000

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ROUNDS=1; N_P1=50000; N_P16=200000 ;;
    --rounds) ROUNDS=$2; shift ;;
    --requests) N_P1=$2; N_P16=$((2 * 5 * $2 > 1000000 ? 1000000 : 2 * 5 * $2)); shift ;;
    --tests) TESTS=$2; shift ;;
    --no-memory) MEMORY=0 ;;
    --no-build) BUILD=0 ;;
    --keep-raw) KEEP_RAW=$2; shift ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

for tool in node redis-server redis-cli redis-benchmark; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y redis-server redis-tools; Node 20)" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kioku-bench.XXXXXX")
RESULTS=$WORK/results.tsv
MEMFILE=$WORK/memory.tsv
: >"$RESULTS"
: >"$MEMFILE"
kioku_pid=""
redis_pid=""

stop_servers() {
  local pid
  for pid in "$kioku_pid" "$redis_pid"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  kioku_pid=""
  redis_pid=""
}
cleanup() {
  stop_servers
  if [ -n "$KEEP_RAW" ]; then mkdir -p "$KEEP_RAW" && cp "$WORK"/*.tsv "$WORK"/*.log "$KEEP_RAW"/ 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_ready() { # port pid name
  for _ in $(seq 1 100); do
    if [ "$(redis-cli -p "$1" ping 2>/dev/null)" = "PONG" ]; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "$3 exited during startup; log:" >&2; cat "$WORK/$3.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$3 did not answer PING on port $1" >&2
  exit 1
}

# The node flags of bin/kioku-server's #! line, so that Kioku runs here as users run it.
BIN_FLAGS=$(head -n 1 bin/kioku-server | sed -e 's/^.*node//')
start_servers() {
  # Both without persistence, Kioku in the run's own directory: no dump.rdb is read or written.
  # shellcheck disable=SC2086 # KIOKU_NODE_FLAGS and BIN_FLAGS are lists of flags
  node ${KIOKU_NODE_FLAGS:-} $BIN_FLAGS dist/main.js --port "$KIOKU_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$WORK" >>"$WORK/kioku.log" 2>&1 &
  kioku_pid=$!
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --logfile "$WORK/redis.log" &
  redis_pid=$!
  wait_ready "$KIOKU_PORT" "$kioku_pid" kioku
  wait_ready "$REDIS_PORT" "$redis_pid" redis
}

# Clock ticks of user+system CPU the process has used (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# "VmRSS RssAnon" in kB: resident total, and its anonymous part (heap, not the mapped binary).
rss_kb() { awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } END { print r, a }' "/proc/$1/status"; }
CLK_TCK=$(getconf CLK_TCK)

# One redis-benchmark run; appends a row to RESULTS.
#   run_one label pipeline server round  -- redis-benchmark test arguments...
run_one() {
  local label=$1 pipeline=$2 server=$3 round=$4; shift 5
  local port pid n before after csv
  if [ "$server" = kioku ]; then port=$KIOKU_PORT; pid=$kioku_pid; else port=$REDIS_PORT; pid=$redis_pid; fi
  if [ "$pipeline" = 1 ]; then n=$N_P1; else n=$N_P16; fi
  before=$(cpu_ticks "$pid")
  csv=$(redis-benchmark -p "$port" -c 50 -P "$pipeline" -n "$n" -r 100000 --csv "$@" 2>>"$WORK/benchmark.log" | tail -n 1)
  after=$(cpu_ticks "$pid")
  kill -0 "$pid" 2>/dev/null || { echo "$server died during $label -P $pipeline; log:" >&2; tail -n 30 "$WORK/$server.log" >&2; exit 1; }
  # "TEST","rps","avg","min","p50","p95","p99","max"
  echo "$csv" | awk -F',' -v OFS='\t' -v t="$label" -v p="$pipeline" -v s="$server" -v r="$round" \
    -v n="$n" -v ticks=$((after - before)) -v hz="$CLK_TCK" '
      { gsub(/"/, ""); print t, p, s, r, $2, $5, $7, ticks * 1e6 / hz / n }' >>"$RESULTS"
  printf '  %-8s -P %-2s %-5s round %s: %s\n' "$label" "$pipeline" "$server" "$round" "$(echo "$csv" | cut -d, -f2 | tr -d '"') rps" >&2
}

test_args() { # name → label and redis-benchmark arguments
  case "$1" in
    set) echo "SET -t set" ;;
    get) echo "GET -t get" ;;
    incr) echo "INCR -t incr" ;;
    mset) echo "MSET -t mset" ;;
    set1k) echo "SET-1KB -t set -d 1024" ;;
    ping) echo "PING -t ping_mbulk" ;;
    lpush|rpush|lpop|rpop|sadd|hset|spop|zadd|zpopmin) echo "${1^^} -t $1" ;;
    lrange100) echo "LRANGE_100 -t lrange_100" ;;
    lrange600) echo "LRANGE_600 -t lrange_600" ;;
    *) echo "unknown test: $1 (see --help)" >&2; exit 2 ;;
  esac
}
NODE_BENCHES=()
[[ ",$TESTS," == *,pubsub,* ]] && NODE_BENCHES+=(pubsub)
[[ ",$TESTS," == *,multi,* ]] && NODE_BENCHES+=(multi)
[[ ",$TESTS," == *,persistence,* ]] && NODE_BENCHES+=(persistence)
TESTS=$(echo ",$TESTS," | sed -e 's/,pubsub,/,/g' -e 's/,multi,/,/g' -e 's/,persistence,/,/g' -e 's/^,//' -e 's/,$//')
TESTS=${TESTS//core/set,get,incr,mset,set1k}
TESTS=${TESTS//collections/lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange100,lrange600}
# Check every name before starting anything: test_args's exit inside $(...) would only end a subshell.
for name in ${TESTS//,/ }; do test_args "$name" >/dev/null || exit 2; done

if [ "$BUILD" = 1 ]; then npm run build --silent; fi

echo "Kioku on port $KIOKU_PORT (node $(node --version) ${KIOKU_NODE_FLAGS:-}), $(redis-server --version | cut -d' ' -f1-3) on port $REDIS_PORT" >&2
echo "rounds=$ROUNDS, requests per run: $N_P1 at -P 1, $N_P16 at -P 16, 50 clients, random keys in 0..99999" >&2
[ -n "$TESTS" ] && start_servers
for name in ${TESTS//,/ }; do
  read -r label args <<<"$(test_args "$name")"
  for pipeline in 1 16; do
    for round in $(seq 1 "$ROUNDS"); do
      # shellcheck disable=SC2086 # args is a list
      run_one "$label" "$pipeline" kioku "$round" -- $args
      # shellcheck disable=SC2086
      run_one "$label" "$pipeline" redis "$round" -- $args
    done
  done
done
stop_servers

if [ "$MEMORY" = 1 ]; then
  echo "memory: loading $MEMORY_KEYS keys into fresh servers" >&2
  # SET key:0000000 val:000000 ... : keys of 11 bytes, values of 10 bytes, every key distinct.
  awk -v n="$MEMORY_KEYS" 'BEGIN { for (i = 0; i < n; i++) printf "*3\r\n$3\r\nSET\r\n$11\r\nkey:%07d\r\n$10\r\nval:%06d\r\n", i, i % 1000000 }' \
    >"$WORK/load.resp"
  start_servers
  sleep 1
  declare -A empty_rss key_count
  for server in kioku redis; do
    if [ "$server" = kioku ]; then port=$KIOKU_PORT; pid=$kioku_pid; else port=$REDIS_PORT; pid=$redis_pid; fi
    base=$(rss_kb "$pid")
    redis-cli -p "$port" --pipe <"$WORK/load.resp" >"$WORK/pipe-$server.log" 2>&1 ||
      { echo "$server: loading failed:" >&2; tail -n 3 "$WORK/pipe-$server.log" >&2; exit 1; }
    keys=$(redis-cli -p "$port" dbsize 2>/dev/null || true)
    case "$keys" in
      ''|*[!0-9]*) keys=$(awk -F'[:,] *' '/replies:/ { print $4 - $2 }' "$WORK/pipe-$server.log")
                   echo "  $server: no DBSIZE; counting the $keys replies of redis-cli --pipe" >&2 ;;
    esac
    sleep 3 # let a collector settle after the burst of writes
    loaded=$(rss_kb "$pid")
    printf '%s\t%s\t%s\t%s\t%s\n' "$server" 3 "$keys" "${base// /$'\t'}" "${loaded// /$'\t'}" >>"$MEMFILE"
    empty_rss[$server]=$base
    key_count[$server]=$keys
    echo "  $server: $keys keys, VmRSS/RssAnon ${base/ //} kB empty → ${loaded/ //} kB loaded" >&2
    [ "$server" = kioku ] && kioku_loaded_at=$SECONDS
  done
  # Node's V8 returns the garbage of the load (the keyspace Map's outgrown tables, the young
  # generation) in an idle-time GC, its "memory reducer", some 30 s after the writes stop: read
  # both servers again 45 s after Kioku's load.
  wait_s=$((kioku_loaded_at + 45 - SECONDS))
  [ "$wait_s" -gt 0 ] && sleep "$wait_s"
  for server in kioku redis; do
    if [ "$server" = kioku ]; then pid=$kioku_pid; else pid=$redis_pid; fi
    base=${empty_rss[$server]}
    settled=$(rss_kb "$pid")
    printf '%s\t%s\t%s\t%s\t%s\n' "$server" 45 "${key_count[$server]}" "${base// /$'\t'}" "${settled// /$'\t'}" >>"$MEMFILE"
    echo "  $server: VmRSS/RssAnon ${settled/ //} kB 45 s after its load" >&2
  done
  stop_servers
fi

if [ -n "$TESTS" ] || [ "$MEMORY" = 1 ]; then node scripts/bench-report.mjs "$RESULTS" "$MEMFILE"; fi
for bench in "${NODE_BENCHES[@]}"; do
  echo
  if [ "$bench" = persistence ]; then
    # same ports as the table; --quick: one round and one load each, fewer requests
    node scripts/persistence-bench.mjs --kioku-port "$KIOKU_PORT" --redis-port "$REDIS_PORT" \
      --rounds "$ROUNDS" --loads "$ROUNDS" --requests "$((N_P1 / 2))"
  else
    node "scripts/$bench-bench.mjs"
  fi
done
