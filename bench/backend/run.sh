#!/usr/bin/env bash
# The backend integration under load (docs/benchmarks.md, "Backend integration"):
#   route      custom-route round trips through a local backend at RATE messages/s
#   post       POST /@connections/{id} as fast as the server answers
#   broadcast  POST /sessions/{id}/broadcast to LISTENERS listeners every INTERVAL
#
#   bench/backend/run.sh                         # all three
#   SCENARIOS=post DURATION=20s bench/backend/run.sh
#
# Each scenario gets a fresh server (server pinned to core 0, generator to core 1 when there are
# two cores), stopped by PID at the end. Settings (environment): SCENARIOS ("route post
# broadcast"), DURATION (15s, after a warm-up run and a warm-up of a third of it, at least 10 s), RATE (5000), LISTENERS (500),
# IN_FLIGHT (128), INTERVAL (50ms), KEEP_DIR=1 keeps the work directory.
# Needs: java 17+, curl, taskset; mvn when a jar has to be built.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="${PENTECOST_JAR:-$root/server/target/pentecost.jar}"
bench="$root/bench/pentecost-bench"
bench_name=backend/run.sh
SCENARIOS="${SCENARIOS:-route post broadcast}"
DURATION="${DURATION:-15s}"
RATE="${RATE:-5000}"
LISTENERS="${LISTENERS:-500}"
IN_FLIGHT="${IN_FLIGHT:-128}"
INTERVAL="${INTERVAL:-50ms}"
# shellcheck source=../lib/server.sh
. "$root/bench/lib/server.sh"
require_tools java curl
ensure_jar
raise_nofile
pin_cores
bench_workdir pentecost-backend-bench
key="bench-backend-key-0123456789abcdef"
secret="bench-signing-secret-0123456789"
backend_port="$(free_port)"
server_pin=("${server_cpu[@]}")
server_env=(
  PENTECOST_LIMITS_TRUSTED_NETWORKS=127.0.0.0/8
  PENTECOST_LIMITS_SESSION_CREATES_PER_HOUR=1000000
  PENTECOST_BACKEND_KEYS="$key"
  PENTECOST_BACKEND_SIGNING_SECRET="$secret"
  PENTECOST_BACKEND_ROUTES="progress=http://127.0.0.1:$backend_port/progress"
)
server_java_opts="-Dpentecost.access.level=OFF"
for scenario in $SCENARIOS; do
  server_start "$scenario" || exit 1
  echo "== $scenario (server pid $server_pid, port $port)" >&2
  # A warm-up run on the same server, its output dropped: at a fifth of the rate, so that both
  # JVMs compile the path before a backlog can form (a cold node at full rate queues at the
  # backend's connection pool and never catches up within the run).
  PENTECOST_BENCH_TOKEN="$token" PENTECOST_BENCH_BACKEND_KEY="$key" \
    "${bench_cpu[@]}" "$bench" backend --scenario "$scenario" --url "http://127.0.0.1:$port" \
    --listeners "$LISTENERS" --rate "$((RATE / 5))" --in-flight "$IN_FLIGHT" --interval "$INTERVAL" \
    --duration 10s --backend-port "$backend_port" >"$work/$scenario.warmup" 2>&1 || true
  PENTECOST_BENCH_TOKEN="$token" PENTECOST_BENCH_BACKEND_KEY="$key" \
    "${bench_cpu[@]}" "$bench" backend --scenario "$scenario" --url "http://127.0.0.1:$port" \
    --listeners "$LISTENERS" --rate "$RATE" --in-flight "$IN_FLIGHT" --interval "$INTERVAL" \
    --duration "$DURATION" --backend-port "$backend_port" | tee "$work/$scenario.out"
  server_stop
done
