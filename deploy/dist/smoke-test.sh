#!/usr/bin/env bash
# Serves from the distribution on a machine as if no Java were installed (CI runs it after
# mvn -Pdist package):  deploy/dist/smoke-test.sh server/target/pentecost-VERSION-linux-x64.tar.gz
# Extracts the archive into a temporary directory, runs bin/pentecost with a PATH that holds no
# java and no JAVA_HOME, checks /health, /metrics, a minted token and a session created with it,
# then stops the server by its PID (SIGTERM, as systemd does) and checks that it exits.
set -euo pipefail
tarball="$(readlink -f "$1")"
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "dist smoke test: FAILED: $*" >&2; [ -f "$work/out.log" ] && tail -40 "$work/out.log" >&2; exit 1; }

tar -xzf "$tarball" -C "$work"
home="$(echo "$work"/pentecost-*)"
for f in bin/pentecost lib/pentecost.jar runtime/bin/java config/pentecost.yaml \
         config/pentecost-defaults.yaml systemd/pentecost.service README.md; do
  [ -e "$home/$f" ] || fail "$f missing from the archive"
done

# A PATH with only what bin/pentecost and this test need: no java anywhere on it.
mkdir -p "$work/path"
for tool in readlink dirname; do ln -s "$(command -v "$tool")" "$work/path/$tool"; done
env -i PATH="$work/path" sh -c 'command -v java' >/dev/null 2>&1 && fail "java is on the test PATH"
run() { env -i PATH="$work/path" HOME="$work" LANG=C.UTF-8 "$@"; }

version="$(run "$home/bin/pentecost" version 2>&1)" || fail "bin/pentecost version: $version"
echo "dist smoke test: $version from $(basename "$tarball"), no java on PATH, JAVA_HOME unset"

# Not through run(): a function in the background is a subshell, and $! would be the subshell's
# PID, not the server's. env execs bin/pentecost, which execs java: $! is the server itself.
env -i PATH="$work/path" HOME="$work" LANG=C.UTF-8 \
  PENTECOST_CONFIG="$home/config/pentecost.yaml" PENTECOST_SERVER_DATA_DIR="$work/data" \
  PENTECOST_CONNECTIONS_DRAIN_TIMEOUT=2s \
  "$home/bin/pentecost" serve --port 0 --host 127.0.0.1 >"$work/out.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 300); do
  port="$(sed -n 's/.*(port \([0-9][0-9]*\)).*/\1/p' "$work/out.log" | head -1)"
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || fail "the server exited before listening"
  sleep 0.1
done
[ -n "$port" ] || fail "the server did not print its port in 30 s"
base="http://127.0.0.1:$port"

health="$(curl -fsS "$base/health")" || fail "GET /health"
echo "$health" | grep -q '"status":"healthy"' || fail "GET /health answered $health"
curl -fsS "$base/metrics" | grep -q '^process_cpu_usage' || fail "/metrics without process_cpu_usage"
token="$(run PENTECOST_SERVER_DATA_DIR="$work/data" "$home/bin/pentecost" token --user dist-smoke 2>/dev/null)" \
  || fail "bin/pentecost token"
created="$(curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"sourceLanguage":"en"}' "$base/sessions")" || fail "POST /sessions"
echo "$created" | grep -q '"sessionId"' || fail "POST /sessions answered $created"

[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$home/runtime/bin/java")" ] \
  || fail "PID $pid is not the server's java ($(readlink "/proc/$pid/exe"))"
kill -TERM "$pid"
for _ in $(seq 1 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "the server did not stop within 40 s of SIGTERM"
wait "$pid" || true
if grep -E 'NoClassDefFoundError|ClassNotFoundException|UnsatisfiedLinkError' "$work/out.log"; then
  fail "a class or library is missing from the runtime"
fi
pid=""
echo "dist smoke test: served /health, /metrics and POST /sessions on port $port, stopped by SIGTERM"
