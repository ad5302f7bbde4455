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

bench_name=connect.sh
# shellcheck source=bench/lib/server.sh
. "$root/bench/lib/server.sh"
require_tools java curl taskset
ensure_jar -pl server -am
pin_cores
raise_nofile
bench_workdir pentecost-ws-bench

server_env=(PENTECOST_LIMITS_SESSION_CREATES_PER_HOUR=1000000
  PENTECOST_LIMITS_TRUSTED_NETWORKS=127.0.0.0/8)
server_pin=("${server_cpu[@]}")
server_java_opts="$SERVER_JAVA_OPTS"
server_args=(--host 127.0.0.1)

# start_server <label>: a fresh server on a free port, pinned; sets port, server_pid, token.
start_server() { server_start "$1" || exit 1; }

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
    server_stop
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
