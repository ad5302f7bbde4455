#!/usr/bin/env bash
# WebSocket connection storms against a fresh local server, with bench/pentecost-bench connect.
#
#   bench/ws/connect.sh                 # both scenarios, about 3 minutes on 2 cores
#   SCENARIOS=many KEEP_DIR=1 bench/ws/connect.sh
#
# Scenarios (each on its own fresh server and temporary data directory):
#   one:  one session to 500 listeners, first on the cold server (the first storm after a start),
#         then again after a warm-up of WARMUP listeners on other sessions.
#   many: SESSIONS x 500 listeners (default 20 x 500 = 10,000), after a warm-up, with the
#         server's CPU during the ramp and its RSS and heap per idle listener (--server-pid),
#         plus the top of its class histogram.
# The server runs on core 0 (taskset -c 0), the generator on core 1, when there are 2+ cores.
# Loopback is a trusted network for the run (PENTECOST_LIMITS_TRUSTED_NETWORKS), so the per-IP
# join and connection limits, made for the Internet, do not throttle one machine's storm.
#
# Other programs on the machine spoil the figures: before each run the script waits (up to
# IDLE_WAIT s) until they use under OTHER_MAX % of a core, and the generator reports how much CPU
# they took during the ramp (machine.otherProcessesCpuPercentRamp); a scenario whose ramp was
# disturbed by more than OTHER_MAX % is run again, up to TRIES times.
#
# Settings (environment): SCENARIOS ("one many"), SESSIONS (20), WARMUP (5000), HOLD (10s),
# CONCURRENCY (256), SOURCE_ADDRESSES (4), IDLE_WAIT (120), OTHER_MAX (10), TRIES (3),
# PENTECOST_JAR (the server jar, built when missing), SERVER_JAVA_OPTS, KEEP_DIR=1 (keep the
# server logs and outputs).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="${PENTECOST_JAR:-$root/server/target/pentecost.jar}"
bench="$root/bench/pentecost-bench"
SCENARIOS="${SCENARIOS:-one many}"
SESSIONS="${SESSIONS:-20}"
WARMUP="${WARMUP:-5000}"
HOLD="${HOLD:-10s}"
CONCURRENCY="${CONCURRENCY:-256}"
SOURCE_ADDRESSES="${SOURCE_ADDRESSES:-4}"
IDLE_WAIT="${IDLE_WAIT:-120}"
OTHER_MAX="${OTHER_MAX:-10}"
TRIES="${TRIES:-3}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}"

for tool in java curl taskset; do
  command -v "$tool" >/dev/null || { echo "connect.sh: $tool is not installed" >&2; exit 1; }
done
if [ ! -f "$jar" ]; then
  echo "connect.sh: building $jar ..." >&2
  (cd "$root" && mvn -q -B -DskipTests -Dspotless.check.skip=true -Dspotbugs.skip=true \
      package -pl server -am)
fi
server_cpu=(); bench_cpu=()
if [ "$(nproc)" -ge 2 ]; then server_cpu=(taskset -c 0); bench_cpu=(taskset -c 1); fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work="$(mktemp -d "${TMPDIR:-/tmp}/pentecost-ws-bench.XXXXXX")"
server_pid=""
data=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "connect.sh: server $server_pid did not stop within 10 s of SIGTERM; killing it" >&2
      kill -9 "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
  [ -n "$data" ] && rm -rf "$data"
  data=""
}
cleanup() {
  stop_server
  if [ "${KEEP_DIR:-0}" = 1 ]; then echo "connect.sh: outputs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "connect.sh: no free port found" >&2
  exit 1
}

clk_tck="$(getconf CLK_TCK)"
machine_user_ticks() { awk '/^cpu /{print $2 + $3}' /proc/stat; }
proc_user_ticks() { awk '{print $14}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Waits until processes other than our server use under OTHER_MAX % of a core (user time).
wait_idle() {
  local waited=0 m0 m1 s0 s1 other
  while :; do
    m0="$(machine_user_ticks)"; s0="$(proc_user_ticks "$server_pid")"
    sleep 1
    m1="$(machine_user_ticks)"; s1="$(proc_user_ticks "$server_pid")"
    other=$((((m1 - m0) - (s1 - s0)) * 100 / clk_tck))
    [ "$other" -lt "$OTHER_MAX" ] && return
    waited=$((waited + 1))
    if [ "$waited" -ge "$IDLE_WAIT" ]; then
      echo "connect.sh: WARNING other processes are using $other% of a core; measuring anyway" >&2
      return
    fi
  done
}

# start_server <label>: a fresh server on a free port, pinned; sets port, server_pid, token.
start_server() {
  local label="$1"
  port="$(free_port)"
  data="$work/data-$label"
  mkdir -p "$data"
  # shellcheck disable=SC2086
  PENTECOST_LIMITS_SESSION_CREATES_PER_HOUR=1000000 \
  PENTECOST_LIMITS_TRUSTED_NETWORKS=127.0.0.0/8 \
    "${server_cpu[@]}" java $SERVER_JAVA_OPTS -jar "$jar" serve --host 127.0.0.1 --port "$port" \
      --data-dir "$data" >"$work/server-$label.log" 2>&1 </dev/null &
  server_pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { echo "connect.sh: server died" >&2; cat "$work/server-$label.log" >&2; exit 1; }
    sleep 0.5
  done
  token="$(java -jar "$jar" token --user bench --data-dir "$data" 2>/dev/null | tail -1)"
}

# run <label> <bench args...>: the generator, pinned; output kept in $work/<label>.out.
# Sets disturbed=1 when other programs took OTHER_MAX % of a core or more during the ramp.
run() {
  local label="$1"; shift
  wait_idle
  echo "== $label: pentecost-bench connect --url http://127.0.0.1:$port --token *** $*" >&2
  local rc=0 others
  PENTECOST_BENCH_TOKEN="$token" "${bench_cpu[@]}" "$bench" connect \
    --url "http://127.0.0.1:$port" "$@" | tee "$work/$label.out" || rc=$?
  [ "$rc" -eq 0 ] || echo "connect.sh: $label: not every listener joined and stayed (exit $rc)" >&2
  others="$(head -1 "$work/$label.out" | grep -o '"otherProcessesCpuPercentRamp":[0-9]*' | cut -d: -f2)"
  if [ -n "$others" ] && [ "$others" -ge "$OTHER_MAX" ]; then
    echo "connect.sh: $label: other programs used $others% of a core during the ramp" >&2
    disturbed=1
  fi
}

summary=()
for scenario in $SCENARIOS; do
  for try in $(seq 1 "$TRIES"); do
    disturbed=0
    case "$scenario" in
      one)
        start_server one
        run one-cold --sessions 1 --listeners-per-session 500 --concurrency "$CONCURRENCY" \
          --server-pid "$server_pid" --hold 2s --timeout 60s --quiet
        run one-warm --sessions 1 --listeners-per-session 500 --concurrency "$CONCURRENCY" \
          --warmup "$WARMUP" --server-pid "$server_pid" --hold 2s --timeout 120s --quiet
        outputs=(one-cold one-warm)
        ;;
      many)
        start_server many
        run many --sessions "$SESSIONS" --listeners-per-session 500 --concurrency "$CONCURRENCY" \
          --source-addresses "$SOURCE_ADDRESSES" --warmup "$WARMUP" --server-pid "$server_pid" \
          --hold "$HOLD" --timeout 300s --class-histogram 30 --quiet
        outputs=(many)
        ;;
      *) echo "connect.sh: unknown scenario $scenario" >&2; exit 2 ;;
    esac
    stop_server
    if [ "$disturbed" = 0 ]; then break; fi
    if [ "$try" -lt "$TRIES" ]; then
      echo "connect.sh: $scenario: disturbed, running it again" >&2
    else
      echo "connect.sh: WARNING $scenario: still disturbed after $TRIES tries; keeping the last" >&2
    fi
  done
  for o in "${outputs[@]}"; do summary+=("$(head -1 "$work/$o.out")"); done
done

echo
echo "JSON lines:"
printf '%s\n' "${summary[@]}"
