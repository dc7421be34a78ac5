#!/usr/bin/env bash
# Smoke test of the Dockerfile on a machine without a Docker engine or registry access: builds the
# image with buildah, runs it with podman, and checks it answers PING. Slow (a few minutes the
# first time), so it is not part of .ci/run.
#
#   scripts/docker-smoke.sh
#
# What it does (see also the comments at each step):
#   1. makes a local Node 20 base image, localhost/node-base:20, from a debootstrap'ed Debian
#      bookworm plus this machine's `node` and `npm` (a stand-in for node:20-bookworm-slim);
#   2. builds the repository's Dockerfile with `--build-arg BASE_IMAGE=localhost/node-base:20`
#      (the build's `npm ci` reaches the npm registry over the host's network);
#   3. runs the image three ways on loopback ports and checks each with redis-cli:
#      options only (`IMAGE --port P`: the entrypoint prepends kioku-server), a mounted
#      kioku.conf plus redis-server-style arguments, and a graceful stop (SIGTERM → exit 0);
#   4. persistence: appendonly yes on a host directory mounted at /data, kioku-check-aof inside
#      the image, then a new container on the same directory finds the data again;
#   5. replication: a primary and two replica containers (--replicaof), WAIT and reads on the
#      replicas, -READONLY for a write to one.
#
# Everything it creates lives under $KIOKU_SMOKE_DIR (default /tmp/kioku-docker-smoke): the
# rootfs, the image storage (--root/--runroot, vfs driver) and podman's configuration. Delete
# that directory to start again from nothing. Needs root; installs buildah, podman, runc and
# debootstrap with apt-get when they are missing.
#
# Environment: KIOKU_SMOKE_DIR, KIOKU_SMOKE_PORT (first of two ports, default 16379),
# KIOKU_SMOKE_CONTEXT (build context, default the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
WORK=${KIOKU_SMOKE_DIR:-/tmp/kioku-docker-smoke}
PORT=${KIOKU_SMOKE_PORT:-16379}
CONTEXT=${KIOKU_SMOKE_CONTEXT:-$REPO}
BASE=localhost/node-base:20
IMAGE=localhost/kioku:smoke
NAME=kioku-smoke-$$

mkdir -p "$WORK"
# One image store for buildah and podman, inside $WORK. vfs works without overlay support.
STORE=(--root "$WORK/storage" --runroot "$WORK/run" --storage-driver vfs)
# crun/runc fail on setrlimit in these VMs unless podman's default ulimits are emptied.
export CONTAINERS_CONF=$WORK/containers.conf
printf '[containers]\ndefault_ulimits = []\n\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >"$CONTAINERS_CONF"
buildah() { command buildah "${STORE[@]}" "$@"; }
podman() { command podman "${STORE[@]}" --runtime runc "$@"; }
step() { printf '\n==> %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

cleanup() {
  for c in "$NAME-args" "$NAME-conf" "$NAME-data" "$NAME-primary" "$NAME-replica1" "$NAME-replica2"; do podman rm -f -t 2 "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# ---- Tools ----
step "Tools"
missing=()
for tool in buildah podman runc debootstrap redis-cli; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || fail "missing ${missing[*]} (and not root to install them)"
  pkgs=("${missing[@]/redis-cli/redis-tools}")
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" </dev/null
fi
[ -f "$CONTEXT/bin/kioku-server" ] || fail "$CONTEXT/bin/kioku-server is missing"
command buildah --version
command podman --version

# ---- 1. Local base image: Debian bookworm + this machine's Node 20 ----
step "Base image $BASE"
if buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  echo "already built"
else
  node_bin=$(readlink -f "$(command -v node)")
  "$node_bin" -e 'process.exit(process.versions.node.split(".")[0] === "20" ? 0 : 1)' ||
    fail "the machine's node is $("$node_bin" --version), not Node 20"
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  rootfs=$WORK/rootfs
  if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" >"$WORK/debootstrap.log" 2>&1 ||
      fail "debootstrap failed; see $WORK/debootstrap.log"
  fi
  # Laid out as in the official node image: /usr/local/bin/node, npm under /usr/local/lib.
  install -m 755 "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  rm -rf "$rootfs/usr/local/lib/node_modules/npm"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  env_args=(--env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  # When this machine reaches the registry through an extra CA (NODE_EXTRA_CA_CERTS), the
  # build's npm needs it too.
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$NODE_EXTRA_CA_CERTS" ]; then
    mkdir -p "$rootfs/etc/ssl/certs"
    cp "$NODE_EXTRA_CA_CERTS" "$rootfs/etc/ssl/certs/node-extra-ca.crt"
    env_args+=(--env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/node-extra-ca.crt)
  fi
  ctr=$(buildah from scratch)
  buildah copy --quiet "$ctr" "$rootfs" / >/dev/null
  buildah config "${env_args[@]}" --cmd node "$ctr"
  buildah commit --quiet --format docker "$ctr" "$BASE" >/dev/null
  buildah rm "$ctr" >/dev/null
  echo "built from $rootfs with node $("$node_bin" --version), npm $(node "$npm_dir/bin/npm-cli.js" --version)"
fi

# ---- 2. Kioku's image, from the Dockerfile as users build it ----
step "Build $IMAGE from $CONTEXT/Dockerfile"
started=$SECONDS
buildah bud --isolation chroot --network host --format docker --layers=false \
  --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" -f "$CONTEXT/Dockerfile" "$CONTEXT"
echo "built in $((SECONDS - started)) s"
# Earlier builds of the tag are left untagged; vfs keeps full copies, so drop them.
buildah rmi --prune >/dev/null 2>&1 || true

# ---- 3. Run it ----
# Host networking (no engine to publish ports), so every server is told to bind loopback only.
wait_pong() {
  local port=$1 name=$2
  for _ in $(seq 1 100); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then return 0; fi
    if [ "$(podman inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" != true ]; then break; fi
    sleep 0.2
  done
  podman logs "$name" >&2 || true
  fail "$name did not answer PING on port $port"
}
config_get() {
  local reply
  reply=$(redis-cli -p "$1" config get "$2")
  [ "$(printf '%s\n' "$reply" | sed -n 1p)" = "$2" ] || fail "CONFIG GET $2 answered: $reply"
  printf '%s\n' "$reply" | sed -n 2p
}
# The server's command line inside the container (PID 1 after the entrypoint's exec).
cmdline() { podman exec "$1" sh -c 'tr "\0" " " </proc/1/cmdline'; }
expect() { [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"; echo "ok: $1 = $2"; }

step "Run: options only (entrypoint prepends kioku-server)"
podman run -d --name "$NAME-args" --network host "$IMAGE" --port "$PORT" --bind 127.0.0.1 >/dev/null
wait_pong "$PORT" "$NAME-args"
expect "redis-cli -p $PORT ping" "$(redis-cli -p "$PORT" ping)" PONG
line=$(cmdline "$NAME-args")
echo "command line: $line"
case "$line" in
  *"/kioku-server --protected-mode no --port $PORT --bind 127.0.0.1 ") echo "ok: entrypoint prepended kioku-server and --protected-mode no" ;;
  *) fail "unexpected server command line" ;;
esac
expect "protected-mode (image default)" "$(config_get "$PORT" protected-mode)" no
expect "server uid (kioku)" "$(podman exec "$NAME-args" sh -c "awk '/^Uid:/ {print \$2}' /proc/1/status")" 999
expect "dir (working directory)" "$(config_get "$PORT" dir)" /data

step "Stop: SIGTERM → clean exit"
podman stop -t 10 "$NAME-args" >/dev/null
expect "exit code after stop" "$(podman inspect -f '{{.State.ExitCode}}' "$NAME-args")" 0
podman logs "$NAME-args" 2>&1 | tail -n 3

step "Run: mounted kioku.conf + redis-server-style arguments"
conf=$WORK/kioku.conf
sed 's/^bind .*/bind 127.0.0.1/' "$REPO/docker/kioku.conf" >"$conf"
chmod 644 "$conf"
port2=$((PORT + 1))
podman run -d --name "$NAME-conf" --network host \
  -v "$conf:/usr/local/etc/kioku/kioku.conf:ro" \
  "$IMAGE" kioku-server /usr/local/etc/kioku/kioku.conf --port "$port2" --maxclients 100 >/dev/null
wait_pong "$port2" "$NAME-conf"
expect "redis-cli -p $port2 ping" "$(redis-cli -p "$port2" ping)" PONG
line=$(cmdline "$NAME-conf")
echo "command line: $line"
case "$line" in
  *"/kioku-server /usr/local/etc/kioku/kioku.conf --port $port2 --maxclients 100 ") echo "ok: config file first, no --protected-mode added (the file sets it)" ;;
  *) fail "unexpected server command line" ;;
esac
expect "maxclients (argument)" "$(config_get "$port2" maxclients)" 100
expect "bind (config file)" "$(config_get "$port2" bind)" 127.0.0.1
expect "slowlog-max-len (config file)" "$(config_get "$port2" slowlog-max-len)" 128
podman stop -t 10 "$NAME-conf" >/dev/null

step "Persistence: AOF and dump.rdb in the /data volume survive a restart"
data=$WORK/data
rm -rf "$data" && mkdir -p "$data" && chown 999:999 "$data"
port3=$((PORT + 2))
podman run -d --name "$NAME-data" --network host -v "$data:/data" "$IMAGE" --port "$port3" --bind 127.0.0.1 --appendonly yes >/dev/null
wait_pong "$port3" "$NAME-data"
redis-cli -p "$port3" set greeting hello >/dev/null
redis-cli -p "$port3" rpush list a b c >/dev/null
expect "kioku-check-aof in the image" "$(podman exec "$NAME-data" kioku-check-aof /data/appendonlydir/appendonly.aof.manifest | tail -n 1)" \
  "All AOF files and manifest are valid"
podman stop -t 10 "$NAME-data" >/dev/null
expect "files in the volume" "$(cd "$data" && ls -d appendonlydir dump.rdb | tr '\n' ' ')" "appendonlydir dump.rdb "
podman rm "$NAME-data" >/dev/null
podman run -d --name "$NAME-data" --network host -v "$data:/data" "$IMAGE" --port "$port3" --bind 127.0.0.1 --appendonly yes >/dev/null
wait_pong "$port3" "$NAME-data"
expect "GET greeting after restart" "$(redis-cli -p "$port3" get greeting)" hello
expect "LRANGE list after restart" "$(redis-cli -p "$port3" lrange list 0 -1 | tr '\n' ' ')" "a b c "
podman stop -t 10 "$NAME-data" >/dev/null

step "Replication: a primary and two replica containers, as docker/compose-replication.yaml runs them"
port4=$((PORT + 3))
for i in 1 2; do
  podman run -d --name "$NAME-replica$i" --network host "$IMAGE" --port $((port4 + i)) --bind 127.0.0.1 \
    --replicaof 127.0.0.1 "$port4" --save '' >/dev/null
done
podman run -d --name "$NAME-primary" --network host "$IMAGE" --port "$port4" --bind 127.0.0.1 --save '' >/dev/null
for name in primary replica1 replica2; do
  case $name in primary) p=$port4 ;; replica1) p=$((port4 + 1)) ;; replica2) p=$((port4 + 2)) ;; esac
  wait_pong "$p" "$NAME-$name"
done
# The first sync starts after repl-diskless-sync-delay (5 s by default).
link_up() { redis-cli -p "$1" info replication | tr -d '\r' | sed -n 's/^master_link_status://p'; }
for i in 1 2; do
  for _ in $(seq 1 150); do [ "$(link_up $((port4 + i)))" = up ] && break; sleep 0.2; done
done
redis-cli -p "$port4" set greeting hello >/dev/null
expect "WAIT 2 5000 on the primary" "$(redis-cli -p "$port4" wait 2 5000)" 2
for i in 1 2; do
  expect "GET greeting on replica $i" "$(redis-cli -p $((port4 + i)) get greeting)" hello
  expect "master_link_status on replica $i" "$(link_up $((port4 + i)))" up
done
expect "SET on a replica" "$(redis-cli -p $((port4 + 1)) set k v 2>&1)" "READONLY You can't write against a read only replica."
for name in primary replica1 replica2; do podman stop -t 10 "$NAME-$name" >/dev/null; done

step "Image"
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$IMAGE"
echo
echo "docker smoke: PASSED"
