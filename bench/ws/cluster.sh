#!/usr/bin/env bash
# Live audio fan-out across nodes: two server nodes sharing a private Redis, against one node, at
# the same load, with bench/pentecost-bench fanout (issue 5's benchmark).
#
#   bench/ws/cluster.sh                    # every load x every mode: 8 runs, about 10 minutes on a
#                                          # quiet 2-core machine
#   LOADS="10x200@10" MODES="single split" KEEP_DIR=1 bench/ws/cluster.sh
#   SMOKE=1 bench/ws/cluster.sh            # 2 x 20 listeners for 3 s in every mode: checks the
#                                          # script and the tools in about 2 minutes; no figures
#
# A load is SESSIONSxLISTENERS@RATE (listeners per session, frames/s per session, FRAME_BYTES-byte
# frames). Each load runs in every mode of MODES, each run on fresh nodes, a fresh Redis and fresh
# data directories:
#   single        one node, embedded store (the single-node figure of docs/benchmarks.md "Fan-out")
#   single-redis  one node on Redis (store.type redis): every frame is still published to Redis,
#                 and the node, subscribed for its own listeners, gets its own frames back and
#                 drops them; separates the cost of Redis from the cost of the hop
#   cross         node A (sessions, speakers) and node B (every listener): every frame crosses
#   split         the listeners half on A, half on B (fanout --listener-url A --listener-url B):
#                 same-node and cross-node listeners of the same sessions in the same run
# Speakers and session creation always go to node A.
#
# Placement on a 2-core machine: the nodes and Redis share core 0 (taskset -c 0), the generator
# has core 1, as in fanout.sh, whose server alone has core 0. A second node cannot get a core of
# its own without taking the generator's, and a generator sharing a core with a node would measure
# its own queueing; so every mode gets the same one core for everything server-side, and the
# comparison is of the same budget. The loads must leave that core room: the target is the latency
# the hop adds, not queueing in a saturated core.
#
# Redis: `redis-server` (from PATH) on a free port of 127.0.0.1 (never 6379), `--save ''
# --appendonly no`, its own directory under the work directory, started for each run and killed by
# its PID after it; the nodes get PENTECOST_STORE_TYPE=redis, PENTECOST_STORE_REDIS_URL, a random
# PENTECOST_STORE_REDIS_KEY_PREFIX, a node id each, and one shared PENTECOST_AUTH_HMAC_SECRET (so
# either node accepts the generator's token).
#
# Measured over the generator's measured window (sampled when it starts and ends): CPU
# (utime+stime) of node A, node B and Redis; from Redis, INFO stats (total_commands_processed,
# total_net_input_bytes, total_net_output_bytes) and INFO commandstats (calls of publish and of
# evalsha, the per-frame script), each divided by the frames the speakers sent in the window; and,
# in the middle of the window, PUBSUB NUMSUB of every audio channel (the nodes subscribed to each
# stream: 1 for single-redis and cross, 2 for split). The sampling commands (a few INFO and PUBSUB
# calls) are counted too.
#
# Other programs: as fanout.sh (autogroup nice -20 when root, a wait for an idle machine, other
# programs' user CPU in the window, up to TRIES tries, the least disturbed kept and flagged "!").
# Each run is bounded: the generator stops by itself, and is ended SETUP_TIMEOUT + WARMUP +
# DURATION + 90 s after its start.
#
# Output: the generator's table after each run; at the end a summary table and one JSON line per
# run: {"load", "mode", "label", "try", "otherProcessesCpuPercent", "autogroupNice", "placement",
# "cpuPercent": {"nodeA", "nodeB", "redis", "generator"}, "redis": {...}, "fanout": <the
# generator's JSON line>}. Exit status 1 when a run gave no result.
#
# Settings (environment): LOADS ("10x200@10 10x100@50"), MODES ("single single-redis cross split"),
# FRAME_BYTES (160), WARMUP (10s), DURATION (20s), SETUP_TIMEOUT (180s), CONCURRENCY (32: with 256
# handshakes in flight, both nodes and Redis on one busy core, up to a tenth of the joins timed
# out on the Redis capacity check (store.timeout, 2 s) and were refused with 503; the joins are
# not what is measured),
# SOURCE_ADDRESSES (4), IDLE_WAIT (120), OTHER_MAX (10), TRIES (3), AUTOGROUP (1), PROGRESS=1,
# SMOKE=1 (LOADS="2x20@10" WARMUP=2s DURATION=3s IDLE_WAIT=5 TRIES=1), PENTECOST_JAR,
# SERVER_JAVA_OPTS, REDIS_SERVER (redis-server), KEEP_DIR=1.
# Needs: java 17+, curl, jq, awk, taskset, setsid, redis-server and redis-cli.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="${PENTECOST_JAR:-$root/server/target/pentecost.jar}"
bench="$root/bench/pentecost-bench"
if [ "${SMOKE:-0}" = 1 ]; then
  LOADS="${LOADS:-2x20@10}"; WARMUP="${WARMUP:-2s}"; DURATION="${DURATION:-3s}"
  IDLE_WAIT="${IDLE_WAIT:-5}"; TRIES="${TRIES:-1}"
fi
LOADS="${LOADS:-10x200@10 10x100@50}"
MODES="${MODES:-single single-redis cross split}"
FRAME_BYTES="${FRAME_BYTES:-160}"
WARMUP="${WARMUP:-10s}"
DURATION="${DURATION:-20s}"
SETUP_TIMEOUT="${SETUP_TIMEOUT:-180s}"
CONCURRENCY="${CONCURRENCY:-32}"
SOURCE_ADDRESSES="${SOURCE_ADDRESSES:-4}"
IDLE_WAIT="${IDLE_WAIT:-120}"
OTHER_MAX="${OTHER_MAX:-10}"
TRIES="${TRIES:-3}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}"
REDIS_SERVER="${REDIS_SERVER:-redis-server}"

for mode in $MODES; do
  case "$mode" in
    single | single-redis | cross | split) ;;
    *) echo "cluster.sh: unknown mode $mode" >&2; exit 2 ;;
  esac
done
for load in $LOADS; do
  [[ "$load" =~ ^[0-9]+x[0-9]+@[0-9.]+$ ]] || {
    echo "cluster.sh: a load is SESSIONSxLISTENERS@RATE, e.g. 10x200@10; got $load" >&2; exit 2; }
done

bench_name=cluster.sh
# shellcheck source=bench/lib/server.sh
. "$root/bench/lib/server.sh"
generator_durations
autogroup_own_session "$@"
require_tools java curl jq awk taskset redis-cli "$REDIS_SERVER"
ensure_jar -pl server -am
"$bench" fanout --help >/dev/null
pin_cores
raise_nofile
bench_workdir pentecost-cluster-bench
redis_pid=""
redis_port=""
a_pid=""; a_port=""; a_data=""
b_pid=""; b_port=""; b_data=""

# stop_nodes: both nodes (SIGTERM, then SIGKILL after stop_grace s), then Redis, each by its PID.
stop_nodes() {
  server_pid="$b_pid"; data="$b_data"; server_stop
  server_pid="$a_pid"; data="$a_data"; server_stop
  a_pid=""; b_pid=""; a_data=""; b_data=""
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$redis_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  redis_pid=""; redis_port=""
}
cluster_cleanup() {
  stop_helpers
  stop_nodes
  bench_cleanup
}
trap cluster_cleanup EXIT
autogroup_boost
placement="nodes and Redis on ${server_cpu[*]:-any core}, generator on ${bench_cpu[*]:-any core}"
echo "cluster.sh: open files limit $(ulimit -n); $placement" >&2

server_java_opts="$SERVER_JAVA_OPTS"
server_args=(--host 127.0.0.1)
server_pin=("${server_cpu[@]}")
# One secret for every node of a run, and for the generator's token (minted by server_start).
PENTECOST_AUTH_HMAC_SECRET="bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export PENTECOST_AUTH_HMAC_SECRET
started_at="$(date +%s)"

rcli() { redis-cli -h 127.0.0.1 -p "$redis_port" "$@"; }

# redis_start <label>: a private Redis on a free port, pinned with the nodes. Sets redis_pid,
# redis_port.
redis_start() {
  local label="$1" dir
  redis_port="$(free_port)"
  [ "$redis_port" != 6379 ] || redis_port="$(free_port)"
  dir="$work/redis-$label"
  mkdir -p "$dir"
  "${server_cpu[@]}" "$REDIS_SERVER" --port "$redis_port" --bind 127.0.0.1 --save '' \
    --appendonly no --dir "$dir" --logfile "$dir/redis.log" --daemonize no </dev/null >/dev/null 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 50); do
    [ "$(rcli ping 2>/dev/null)" = PONG ] && return 0
    kill -0 "$redis_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "cluster.sh: redis-server did not start on port $redis_port" >&2
  cat "$dir/redis.log" >&2 2>/dev/null || true
  return 1
}

# nodes_start <label> <mode>: Redis (unless single), node A, node B (cross, split). Sets a_*, b_*,
# token (node A's minting; either node accepts it).
nodes_start() {
  local label="$1" mode="$2" prefix
  local base=(PENTECOST_LIMITS_SESSION_CREATES_PER_HOUR=1000000 PENTECOST_LIMITS_TRUSTED_NETWORKS=127.0.0.0/8)
  if [ "$mode" = single ]; then
    server_env=("${base[@]}")
  else
    redis_start "$label" || return 1
    prefix="bench-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n'):"
    base+=(PENTECOST_STORE_TYPE=redis "PENTECOST_STORE_REDIS_URL=redis://127.0.0.1:$redis_port"
      "PENTECOST_STORE_REDIS_KEY_PREFIX=$prefix")
    redis_prefix="$prefix"
    server_env=("${base[@]}" PENTECOST_SERVER_NODE_ID=bench-a)
  fi
  server_start "$label-a" || return 1
  a_pid="$server_pid"; a_port="$port"; a_data="$data"
  if [ "$mode" = cross ] || [ "$mode" = split ]; then
    local keep="$token"
    server_env=("${base[@]}" PENTECOST_SERVER_NODE_ID=bench-b)
    server_start "$label-b" || return 1
    b_pid="$server_pid"; b_port="$port"; b_data="$data"
    token="$keep"
  fi
  server_pid="$a_pid"; port="$a_port"; data="$a_data"
}

# redis_sample: "commands netIn netOut publishCalls evalshaCalls cpuTicks" of the running Redis
# ("0 0 0 0 0 0" without one).
redis_sample() {
  if [ -z "$redis_pid" ]; then echo "0 0 0 0 0 0"; return; fi
  { rcli info stats; rcli info commandstats; } 2>/dev/null | tr -d '\r' | awk -v cpu="$(proc_cpu_ticks "$redis_pid")" '
    /^total_commands_processed:/ { split($0, a, ":"); c = a[2] }
    /^total_net_input_bytes:/ { split($0, a, ":"); i = a[2] }
    /^total_net_output_bytes:/ { split($0, a, ":"); o = a[2] }
    /^cmdstat_publish:/ { if (match($0, /calls=[0-9]+/)) p = substr($0, RSTART + 6, RLENGTH - 6) }
    /^cmdstat_evalsha:/ { if (match($0, /calls=[0-9]+/)) e = substr($0, RSTART + 6, RLENGTH - 6) }
    END { printf "%d %d %d %d %d %d\n", c, i, o, p, e, cpu }'
}

# numsub: "channels min max" of PUBSUB NUMSUB over the run's audio channels ("0 - -" without).
numsub() {
  local chans
  if [ -z "$redis_pid" ]; then echo "0 - -"; return; fi
  mapfile -t chans < <(rcli pubsub channels "${redis_prefix}audio:*" 2>/dev/null | tr -d '\r' | grep -v '^$' || true)
  if [ "${#chans[@]}" -eq 0 ]; then echo "0 - -"; return; fi
  rcli pubsub numsub "${chans[@]}" 2>/dev/null | tr -d '\r' | awk '
    NR % 2 == 0 { n++; if (min == "" || $1 < min) min = $1; if ($1 > max) max = $1 }
    END { printf "%d %s %s\n", n, (n ? min : "-"), (n ? max : "-") }'
}

# ticks_line <generator pid>: "time machineUser aUser bUser redisUser genUser aCpu bCpu redisCpu
# genCpu redis-sample..."
ticks_line() {
  local g="$1" z=0
  echo "$(date +%s%N) $(machine_user_ticks)" \
    "$([ -n "$a_pid" ] && proc_user_ticks "$a_pid" || echo $z)" \
    "$([ -n "$b_pid" ] && proc_user_ticks "$b_pid" || echo $z)" \
    "$([ -n "$redis_pid" ] && proc_user_ticks "$redis_pid" || echo $z)" \
    "$(proc_user_ticks "$g")" \
    "$([ -n "$a_pid" ] && proc_cpu_ticks "$a_pid" || echo $z)" \
    "$([ -n "$b_pid" ] && proc_cpu_ticks "$b_pid" || echo $z)" \
    "$([ -n "$redis_pid" ] && proc_cpu_ticks "$redis_pid" || echo $z)" \
    "$(proc_cpu_ticks "$g")" "$(redis_sample)"
}

# window_watch <generator pid> <generator stderr> <prefix>: samples at the start and the end of the
# measured window into <prefix>.ticks, and PUBSUB NUMSUB in its middle into <prefix>.numsub.
window_watch() {
  local gen="$1" errf="$2" pre="$3"
  until grep -q '^bench: sending; measuring' "$errf" 2>/dev/null; do
    kill -0 "$gen" 2>/dev/null || return 0
    sleep 0.1
  done
  sleep "$(awk -v w="$warmup_s" 'BEGIN { print w + 0.2 }')"
  ticks_line "$gen" >"$pre.ticks"
  sleep "$(awk -v d="$duration_s" 'BEGIN { print d / 2 }')"
  numsub >"$pre.numsub"
  sleep "$(awk -v d="$duration_s" 'BEGIN { print d / 2 }')"
  kill -0 "$gen" 2>/dev/null || return 0
  ticks_line "$gen" >>"$pre.ticks"
}

# cluster_try <label> <mode> <sessions> <listeners> <rate> <try>: one run on fresh nodes. Leaves
# $work/<label>-try<try>.{out,err,ticks,numsub,others}. Returns 1 when there is no result.
cluster_try() {
  local label="$1" mode="$2" sessions="$3" listeners="$4" rate="$5" try="$6" pre urls=()
  pre="$work/$label-try$try"
  redis_prefix=""
  if ! nodes_start "$label-try$try" "$mode"; then
    echo "cluster.sh: $label: the nodes or Redis did not start" >&2
    stop_nodes
    return 1
  fi
  case "$mode" in
    cross) urls=(--listener-url "http://127.0.0.1:$b_port") ;;
    split) urls=(--listener-url "http://127.0.0.1:$a_port" --listener-url "http://127.0.0.1:$b_port") ;;
  esac
  wait_idle
  echo "== $label (try $try/$TRIES): $sessions x $listeners listeners, $FRAME_BYTES-byte frames at $rate/s," \
    "node A pid $a_pid port $a_port${b_pid:+, node B pid $b_pid port $b_port}${redis_pid:+, redis pid $redis_pid port $redis_port}," \
    "$autogroup_note" >&2
  generator_run "$label" "$pre" "$sessions" "$listeners" "$rate" "$a_pid" \
    --url "http://127.0.0.1:$a_port" "${urls[@]}"
  stop_nodes
  generator_result "$label" "$pre" || return 1
  # ticks: time, machine user, then the user ticks of node A, node B, Redis and the generator
  window_others "$label" "$pre" 6
}

# window_json <prefix> <frames sent in the window> <window seconds>: the CPU and Redis figures.
window_json() {
  local pre="$1" frames="$2" window="$3" ns
  ns="$(cat "$pre.numsub" 2>/dev/null || echo "0 - -")"
  if [ "$(wc -l <"$pre.ticks" 2>/dev/null || echo 0)" -ne 2 ]; then echo '{}'; return; fi
  awk -v hz="$clk_tck" -v frames="$frames" -v window="$window" -v ns="$ns" '
    NR == 1 { split($0, s) }
    NR == 2 {
      dt = ($1 - s[1]) / 1e9
      # frames sent during this sampling interval, from those sent in the generator window
      f = frames * dt / window
      pct = "%.1f"
      split(ns, n, " ")
      printf "{\"sampledSeconds\": %.2f, \"cpuPercent\": {\"nodeA\": %.1f, \"nodeB\": %.1f, \"redis\": %.1f, \"generator\": %.1f},", \
        dt, ($7 - s[7]) / hz / dt * 100, ($8 - s[8]) / hz / dt * 100, ($9 - s[9]) / hz / dt * 100, ($10 - s[10]) / hz / dt * 100
      printf " \"redis\": {\"frames\": %.0f, \"commands\": %d, \"commandsPerFrame\": %s, \"publishCalls\": %d, \"publishPerFrame\": %s,", \
        f, $11 - s[11], (f > 0 ? sprintf("%.3f", ($11 - s[11]) / f) : "null"), $14 - s[14], (f > 0 ? sprintf("%.3f", ($14 - s[14]) / f) : "null")
      printf " \"evalshaCalls\": %d, \"evalshaPerFrame\": %s, \"inputBytes\": %d, \"inputBytesPerFrame\": %s, \"outputBytes\": %d, \"outputBytesPerFrame\": %s,", \
        $15 - s[15], (f > 0 ? sprintf("%.3f", ($15 - s[15]) / f) : "null"), $12 - s[12], (f > 0 ? sprintf("%.1f", ($12 - s[12]) / f) : "null"), \
        $13 - s[13], (f > 0 ? sprintf("%.1f", ($13 - s[13]) / f) : "null")
      printf " \"cpuMicrosPerFrame\": %s, \"audioChannels\": %d, \"numsubMin\": %s, \"numsubMax\": %s}}\n", \
        (f > 0 ? sprintf("%.1f", ($9 - s[9]) / hz * 1e6 / f) : "null"), n[1], (n[2] == "-" ? "null" : n[2]), (n[3] == "-" ? "null" : n[3])
    }' "$pre.ticks"
}

# cluster_run <load> <mode> <sessions> <listeners> <rate>: up to TRIES tries; the least disturbed
# one goes to the summary.
cluster_run() {
  local load="$1" mode="$2" sessions="$3" listeners="$4" rate="$5" label try best="" best_others=""
  label="$load-$mode"; label="${label//@/r}"
  for try in $(seq 1 "$TRIES"); do
    cluster_try "$label" "$mode" "$sessions" "$listeners" "$rate" "$try" || continue
    try_keep "$label" "$try" && break
  done
  if [ -z "$best" ]; then
    failures=$((failures + 1))
    printf '%s\t%s\tno result\n' "$load" "$mode" >>"$work/summary.tsv"
    return 0
  fi
  local pre="$work/$label-try$best" frames win flag=""
  [ "$best_others" != - ] && [ "$best_others" -ge "$OTHER_MAX" ] && flag="!"
  frames="$(grep -m1 '^{' "$pre.out" | jq '.framesSent')"
  win="$(grep -m1 '^{' "$pre.out" | jq '.durationSeconds')"
  window_json "$pre" "$frames" "$win" >"$pre.window.json"
  grep -m1 '^{' "$pre.out" | jq -c --arg load "$load" --arg mode "$mode" --arg lb "$label" \
    --argjson nth "$best" --arg others "$best_others" --arg nice "${autogroup_nice:-}" \
    --arg placement "$placement" --slurpfile w "$pre.window.json" '
    def n: if . == "-" or . == "" then null else tonumber end;
    {"load": $load, "mode": $mode, "label": $lb, "try": $nth,
     "otherProcessesCpuPercent": ($others | n), "autogroupNice": ($nice | n), "placement": $placement}
    + ($w[0] // {}) + {"fanout": .}' >>"$work/results.jsonl"
  tail -1 "$work/results.jsonl" | jq -r --arg others "$best_others$flag" '
    def f: if . == null then "-" else tostring end;
    def p(t; k): (.fanout.byListenerTarget // [])[t].latencyMs[k] | f;
    [.load, .mode, (.fanout.expectedDeliveriesPerSecond | f), (.fanout.deliveriesPerSecond | f),
     (.fanout.lost | f), (.fanout.missing | f), (.fanout.latencyMs.p50 | f), (.fanout.latencyMs.p99 | f),
     (.fanout.latencyMs.p999 | f),
     (if .mode == "split" then p(0; "p99") + "/" + p(1; "p99") else "-" end),
     (.cpuPercent.nodeA | f), (.cpuPercent.nodeB | f), (.cpuPercent.redis | f),
     (.redis.commandsPerFrame | f), (.redis.publishPerFrame | f), (.redis.outputBytesPerFrame | f),
     (if .redis.numsubMin == null then "-" elif .redis.numsubMin == .redis.numsubMax
      then (.redis.numsubMin | tostring) else "\(.redis.numsubMin)-\(.redis.numsubMax)" end),
     $others,
     (if .fanout.joined == .fanout.listeners and .fanout.lost == 0 and .fanout.missing == 0
        and .fanout.listenersDropped == 0 then "yes" else "no" end)] | @tsv' >>"$work/summary.tsv"
}

failures=0
: >"$work/summary.tsv"
: >"$work/results.jsonl"
for load in $LOADS; do
  s="${load%%x*}"; rest="${load#*x}"; l="${rest%@*}"; r="${load#*@}"
  for mode in $MODES; do cluster_run "$load" "$mode" "$s" "$l" "$r"; done
done

elapsed=$(($(date +%s) - started_at))
echo
echo "=== cross-node fan-out: $FRAME_BYTES-byte frames, $WARMUP warm-up, $DURATION measured; $placement;"
echo "    $autogroup_note; $((elapsed / 60)) min $((elapsed % 60)) s in all. load: sessions x listeners"
echo "    @ frames/s per session; p50/p99/p99.9: speaker's send to listener, ms, all listeners;"
echo "    A/B p99: split only, listeners on node A (same node) / on node B (cross-node); CPU%: of"
echo "    node A, node B, Redis (100 % = one core); cmd/f, pub/f, out B/f: Redis commands, PUBLISH"
echo "    calls and bytes sent by Redis per frame; numsub: nodes subscribed to each audio channel;"
echo "    other%: other programs' user CPU in the window (! = disturbed); clean: no loss"
{
  printf 'load\tmode\texpected/s\tdelivered/s\tlost\tmissing\tp50\tp99\tp99.9\tA/B p99\tA CPU%%\tB CPU%%\tRedis%%\tcmd/f\tpub/f\tout B/f\tnumsub\tother%%\tclean\n'
  cat "$work/summary.tsv"
} | awk -F'\t' '
  { rows[NR] = $0; for (i = 1; i <= NF; i++) if (length($i) > w[i]) w[i] = length($i) }
  END {
    for (r = 1; r <= NR; r++) {
      n = split(rows[r], f, "\t"); line = ""
      for (i = 1; i <= n; i++) line = line sprintf(i <= 2 ? "%-" w[i] "s  " : "%" w[i] "s  ", f[i])
      print line
    }
  }'
echo
echo "JSON lines:"
cat "$work/results.jsonl"
[ "$failures" -eq 0 ] || { echo "cluster.sh: $failures run(s) gave no result" >&2; exit 1; }
