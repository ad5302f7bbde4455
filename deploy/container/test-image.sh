#!/usr/bin/env bash
# Checks the image that build-image.sh made, and runs it when a container runtime works here:
#   deploy/container/test-image.sh OUT_DIR VERSION
# 1. Inspects its configuration (skopeo): entry point = the bundled runtime running the jar, user
#    non-root (10001), ports 8080 and 9090, the data volume.
# 2. Runs it with crun (Debian's crun; no daemon): unpacked by umoci into an OCI bundle, in the
#    host's network namespace on a free loopback port, checks `version`, then `serve` and GET
#    /health, and stops it with SIGTERM. podman does not work on this kind of machine (it cannot
#    set RLIMIT_NPROC without CAP_SYS_RESOURCE); crun alone needs two changes to the bundle: no
#    rlimits and no cgroup mount, and a private mount namespace without the host's hybrid
#    /sys/fs/cgroup/unified. Without crun or unshare the run is skipped, the inspection is not.
set -euo pipefail
out="$(cd "$1" && pwd)"
version="$2"
image="oci:$out/oci:$version"
fail() { echo "image test: FAILED: $*" >&2; [ -f "${log:-/nonexistent}" ] && tail -30 "$log" >&2; exit 1; }

config="$(skopeo inspect --config "$image")"
check() { # jq filter, expected value
  local got
  got="$(jq -c "$1" <<<"$config")"
  [ "$got" = "$2" ] || fail "$1 is $got, not $2"
}
check '.config.Entrypoint' '["/opt/pentecost/runtime/bin/java","-XX:+ExitOnOutOfMemoryError","-jar","/opt/pentecost/lib/pentecost.jar"]'
check '.config.Cmd' '["serve"]'
check '.config.User' '"10001:10001"'
check '.config.ExposedPorts | keys' '["8080/tcp","9090/tcp"]'
check '.config.Volumes | keys' '["/var/lib/pentecost"]'
check '.os + "/" + .architecture' '"linux/amd64"'
echo "image test: pentecost:$version runs /opt/pentecost/runtime/bin/java as 10001:10001, exposes 8080 and 9090"

if ! command -v crun >/dev/null 2>&1 || ! command -v unshare >/dev/null 2>&1; then
  echo "image test: crun is not installed; the image was inspected, not run"
  exit 0
fi
work="$(mktemp -d)"
name="pentecost-image-test-$$"
pid=""
log="$work/out.log"
cleanup() {
  crun kill "$name" KILL >/dev/null 2>&1 || true
  [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  crun delete -f "$name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
umoci unpack --image "$out/oci:$version" "$work/bundle" >/dev/null
port="$(( 20000 + RANDOM % 20000 ))"
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port="$(( 20000 + RANDOM % 20000 ))"; done
# host network (the test talks to it on 127.0.0.1), no rlimits, no cgroups (see above)
jq --arg port "$port" '
  .process.rlimits = [] | .process.terminal = false
  | .process.env += ["PENTECOST_SERVER_PORT=\($port)", "PENTECOST_SERVER_HOST=127.0.0.1",
                     "PENTECOST_CONNECTIONS_DRAIN_TIMEOUT=2s"]
  | .linux.namespaces |= map(select(.type != "network"))
  | .mounts |= map(select(.type != "cgroup"))
  | del(.linux.resources) | del(.linux.cgroupsPath)' \
  "$work/bundle/config.json" > "$work/config.json"
mv "$work/config.json" "$work/bundle/config.json"

runc() { # runs the bundle's process with $@ as the command's arguments after the entry point
  jq --argjson a "$(printf '%s\n' "$@" | jq -R . | jq -s .)" \
    '.process.args = .process.args[0:4] + $a' "$work/bundle/config.json" > "$work/c.json"
  mv "$work/c.json" "$work/bundle/config.json"
  unshare -m sh -c 'if [ -d /sys/fs/cgroup/unified ]; then umount /sys/fs/cgroup/unified; fi;
    exec crun --cgroup-manager=disabled run --bundle "$1" "$2"' sh "$work/bundle" "$name"
}

got="$(runc version 2>&1)" || fail "crun run ... version: $got"
[ "$got" = "pentecost $version" ] || fail "version printed '$got'"
crun delete -f "$name" >/dev/null 2>&1 || true

runc serve >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || fail "the container exited"
  sleep 0.1
done
health="$(curl -fsS "http://127.0.0.1:$port/health")" || fail "GET /health"
grep -q '"status":"healthy"' <<<"$health" || fail "GET /health answered $health"
grep -q '"dataDir"\|/var/lib/pentecost' "$log" || fail "the container did not use /var/lib/pentecost"
crun kill "$name" TERM
for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "the container did not stop within 30 s of SIGTERM"
wait "$pid" || true
pid=""
echo "image test: ran the image with crun as uid 10001: version, serve, GET /health healthy, stopped by SIGTERM"
