#!/usr/bin/env bash
# Live audio fan-out against fresh local servers, with bench/pentecost-bench fanout.
#
#   bench/ws/fanout.sh                      # every scenario, 12 runs of 60-80 s: about 15 minutes
#                                           # on a quiet 2-core machine; up to 2 hours when every
#                                           # run waits out other programs and is tried 3 times
#   SCENARIOS="big10 small" KEEP_DIR=1 bench/ws/fanout.sh
#   SCENARIOS=search RATES="10 20 30" bench/ws/fanout.sh
#   SMOKE=1 bench/ws/fanout.sh              # every scenario at 2 x 20 listeners for 3 s: checks the
#                                           # script and the tools in about 3 minutes; no figures
#
# Scenarios (each run on its own fresh server and temporary data directory; FRAME_BYTES-byte frames):
#   big10:      SESSIONS x LISTENERS (20 x 500 = 10,000 listeners) at 10 frames/s per session
#               (100,000 deliveries/s)
#   big50:      the same at 50 frames/s (500,000 deliveries/s)
#   small:      SMALL_SESSIONS x SMALL_LISTENERS (200 x 10) at 50 frames/s (100,000 deliveries/s)
#   search:     SESSIONS x LISTENERS at each rate of RATES, one fresh server per rate; prints the
#               loss and p99 of each rate, then the highest rate delivered with zero loss (nothing
#               lost or missing) and p99 <= P99_MAX ms
#   transports: big10 once per server transport in TRANSPORTS (server env PENTECOST_SERVER_TRANSPORT);
#               a transport the machine cannot load is reported and skipped
# The other scenarios use the server's default transport (auto: epoll on Linux).
#
# One run: start the server on core 0 (taskset -c 0), wait until the machine is idle, run the
# generator on core 1 (listeners from SOURCE_ADDRESSES loopback addresses, --server-pid for the
# server's CPU; WARMUP of sending, then DURATION measured), scrape the server's /metrics, stop it.
# Loopback is a trusted network for the run (PENTECOST_LIMITS_TRUSTED_NETWORKS), so the per-IP limits
# made for the Internet do not throttle one machine; the session creation limit is raised.
# From /metrics, counted from 1 s before the measured window to the end of the run:
# pentecost_audio_frames_out_total / pentecost_audio_socket_flushes_total = frames per write (system
# call), and the p50/p99 of pentecost_audio_fanout_latency_seconds (a frame's arrival at the server
# to the flush of its last listener's socket), interpolated in the cumulative buckets.
#
# Other programs spoil the figures, and on a kernel with sched_autogroup (Debian's default) `nice`
# does not protect against them: the scheduler shares each CPU between sessions first. So when it
# runs as root, the script runs itself in a session of its own (setsid) and writes -20 to
# /proc/self/autogroup, which covers the script, the server and the generator and nothing else; it
# prints "autogroup nice -20" (AUTOGROUP=0 turns this off). In addition, before each run it waits
# (up to IDLE_WAIT s) until other programs use under OTHER_MAX % of a core, measures the user CPU
# that other programs took during the measured window, and runs again (up to TRIES times in all) a
# run disturbed by OTHER_MAX % or more; the summary keeps the least disturbed try, flagged "!" when
# it was still disturbed.
#
# Each run is bounded: the generator stops by itself (setup within SETUP_TIMEOUT, then WARMUP +
# DURATION), and the script ends it if it is still there SETUP_TIMEOUT + WARMUP + DURATION + 90 s
# after its start. A run takes about 20-40 s of setup, then WARMUP + DURATION, then 5-15 s of
# teardown.
#
# Output: the generator's table after each run; at the end a summary table and one JSON line per
# run: {"scenario", "label", "transport", "try", "otherProcessesCpuPercent", "autogroupNice",
# "serverMetrics": {...}, "fanout": <the generator's JSON line>}. Exit status 1 when a run gave no
# result (a server that did not start, a generator that failed); loss alone is a result.
#
# SERVER_CORES ("0"): the cores the server runs on (bench/lib/server.sh pin_cores).
# Settings (environment): SCENARIOS ("big10 big50 small search transports"), SESSIONS (20),
# LISTENERS (500), SMALL_SESSIONS (200), SMALL_LISTENERS (10), RATES ("2 5 10 20 30 50"),
# TRANSPORTS ("epoll nio io_uring"), FRAME_BYTES (160), WARMUP (10s), DURATION (20s), P99_MAX (50),
# SETUP_TIMEOUT (180s), CONCURRENCY (256), SOURCE_ADDRESSES (4), IDLE_WAIT (120), OTHER_MAX (10),
# TRIES (3), AUTOGROUP (1), PROGRESS=1 (the generator's progress line every second), SMOKE=1
# (defaults become SESSIONS=2 LISTENERS=20 SMALL_SESSIONS=2 SMALL_LISTENERS=10 WARMUP=2s
# DURATION=3s RATES="10 50" IDLE_WAIT=5 TRIES=1), PENTECOST_JAR (the server jar, built when
# missing), SERVER_JAVA_OPTS, KEEP_DIR=1 (keep the server logs and outputs).
# Needs: java 17+, curl, jq, awk, taskset and setsid (util-linux); mvn when a jar has to be built.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="${PENTECOST_JAR:-$root/server/target/pentecost.jar}"
bench="$root/bench/pentecost-bench"
if [ "${SMOKE:-0}" = 1 ]; then
  SESSIONS="${SESSIONS:-2}"; LISTENERS="${LISTENERS:-20}"
  SMALL_SESSIONS="${SMALL_SESSIONS:-2}"; SMALL_LISTENERS="${SMALL_LISTENERS:-10}"
  WARMUP="${WARMUP:-2s}"; DURATION="${DURATION:-3s}"; RATES="${RATES:-10 50}"
  IDLE_WAIT="${IDLE_WAIT:-5}"; TRIES="${TRIES:-1}"
fi
SCENARIOS="${SCENARIOS:-big10 big50 small search transports}"
SESSIONS="${SESSIONS:-20}"
LISTENERS="${LISTENERS:-500}"
SMALL_SESSIONS="${SMALL_SESSIONS:-200}"
SMALL_LISTENERS="${SMALL_LISTENERS:-10}"
RATES="${RATES:-2 5 10 20 30 50}"
TRANSPORTS="${TRANSPORTS:-epoll nio io_uring}"
FRAME_BYTES="${FRAME_BYTES:-160}"
WARMUP="${WARMUP:-10s}"
DURATION="${DURATION:-20s}"
P99_MAX="${P99_MAX:-50}"
SETUP_TIMEOUT="${SETUP_TIMEOUT:-180s}"
CONCURRENCY="${CONCURRENCY:-256}"
SOURCE_ADDRESSES="${SOURCE_ADDRESSES:-4}"
IDLE_WAIT="${IDLE_WAIT:-120}"
OTHER_MAX="${OTHER_MAX:-10}"
TRIES="${TRIES:-3}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}"

for scenario in $SCENARIOS; do
  case "$scenario" in
    big10 | big50 | small | search | transports) ;;
    *) echo "fanout.sh: unknown scenario $scenario" >&2; exit 2 ;;
  esac
done

bench_name=fanout.sh
# shellcheck source=bench/lib/server.sh
. "$root/bench/lib/server.sh"
generator_durations
autogroup_own_session "$@"
require_tools java curl jq awk taskset
ensure_jar -pl server -am
# The generator's launcher builds its jar when the sources changed: now, not during a run.
"$bench" fanout --help >/dev/null
pin_cores
raise_nofile
bench_workdir pentecost-fanout-bench
fanout_cleanup() {
  stop_helpers
  bench_cleanup
}
trap fanout_cleanup EXIT
autogroup_boost
echo "fanout.sh: open files limit $(ulimit -n); server on ${server_cpu[*]:-any core}, generator on ${bench_cpu[*]:-any core}" >&2
most=$((SESSIONS * LISTENERS > SMALL_SESSIONS * SMALL_LISTENERS ? SESSIONS * LISTENERS : SMALL_SESSIONS * SMALL_LISTENERS))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((most + 1024)) ]; then
  echo "fanout.sh: WARNING $most listeners need more open files than the limit ($(ulimit -n))" >&2
fi

server_pin=("${server_cpu[@]}")
server_java_opts="$SERVER_JAVA_OPTS"
server_args=(--host 127.0.0.1)
started_at="$(date +%s)"

# window_watch <generator pid> <generator stderr> <prefix>: samples the CPU ticks (time, machine
# user, server user, generator user) at the start and the end of the measured window into
# <prefix>.ticks, and scrapes /metrics 1 s before the window into <prefix>.metrics0. The generator
# says "sending; measuring from W s" about 0.2 s before it starts sending.
window_watch() {
  local gen="$1" errf="$2" pre="$3" early
  until grep -q '^bench: sending; measuring' "$errf" 2>/dev/null; do
    kill -0 "$gen" 2>/dev/null || return 0
    sleep 0.1
  done
  early="$(awk -v w="$warmup_s" 'BEGIN { print (w >= 2 ? 1 : 0) }')"
  sleep "$(awk -v w="$warmup_s" -v e="$early" 'BEGIN { print w + 0.2 - e }')"
  curl -fs --max-time 5 "http://127.0.0.1:$port/metrics" >"$pre.metrics0" || rm -f "$pre.metrics0"
  [ "$early" = 1 ] && sleep 1
  echo "$(date +%s%N) $(machine_user_ticks) $(proc_user_ticks "$server_pid") $(proc_user_ticks "$gen")" >"$pre.ticks"
  sleep "$duration_s"
  kill -0 "$gen" 2>/dev/null || return 0
  echo "$(date +%s%N) $(machine_user_ticks) $(proc_user_ticks "$server_pid") $(proc_user_ticks "$gen")" >>"$pre.ticks"
}

# server_figures <metrics before or ""> <metrics after>: "flushes framesOut framesPerWrite p50ms
# p99ms" of the audio path between the two scrapes (or since the start), "-" where unknown.
server_figures() {
  local before="$1" after="$2"
  [ -s "$after" ] || { echo "- - - - -"; return; }
  [ -s "$before" ] || before=/dev/null
  awk -v before="$before" '
    function num(s) { return s == "+Inf" ? 1e300 : s + 0 }
    { sign = (FILENAME == before) ? -1 : 1 }
    /^pentecost_audio_socket_flushes_total[{ ]/ { flushes += sign * $NF }
    /^pentecost_audio_frames_out_total[{ ]/ { out += sign * $NF }
    /^pentecost_audio_fanout_latency_seconds_bucket[{]/ {
      if (match($0, /le="[^"]*"/)) {
        le = substr($0, RSTART + 4, RLENGTH - 5)
        if (!(le in cum)) { n++; les[n] = le }
        cum[le] += sign * $NF
      }
    }
    function quantile(q,   rank, i, prev, prevc, lo) {
      total = cum[les[n]]
      if (total <= 0) return "-"
      rank = q * total; prev = 0; prevc = 0
      for (i = 1; i <= n; i++) {
        if (cum[les[i]] >= rank) {
          if (les[i] == "+Inf") return sprintf("%.2f", prev * 1000)
          lo = prev
          if (cum[les[i]] == prevc) return sprintf("%.2f", num(les[i]) * 1000)
          return sprintf("%.2f", (lo + (num(les[i]) - lo) * (rank - prevc) / (cum[les[i]] - prevc)) * 1000)
        }
        prev = num(les[i]); prevc = cum[les[i]]
      }
      return "-"
    }
    END {
      # bucket bounds in increasing order (insertion sort; a few dozen of them)
      for (i = 2; i <= n; i++) {
        x = les[i]
        for (j = i - 1; j >= 1 && num(les[j]) > num(x); j--) les[j + 1] = les[j]
        les[j + 1] = x
      }
      fpw = flushes > 0 ? sprintf("%.2f", out / flushes) : "-"
      printf "%d %d %s %s %s\n", flushes, out, fpw, (n ? quantile(0.5) : "-"), (n ? quantile(0.99) : "-")
    }' "$before" "$after"
}

# seen_transport <log>: the transport the running server uses, from its file descriptors (an
# io_uring instance) and its log ("network transport: native" or "nio").
seen_transport() {
  if [ -n "$(find "/proc/$server_pid/fd" -lname '*io_uring*' -print -quit 2>/dev/null)" ]; then echo io_uring
  elif grep -q 'network transport: native' "$1"; then echo epoll
  elif grep -q 'network transport: nio' "$1"; then echo nio
  else echo unknown; fi
}

# fanout_try <label> <sessions> <listeners> <rate> <transport> <try>: one run on a fresh server.
# Leaves $work/<label>-try<try>.{out,err,metrics0,metrics1,ticks,others}. Returns 1 when the
# server did not start (try_failed=start) or the generator gave no JSON line (try_failed=bench).
fanout_try() {
  local label="$1" sessions="$2" listeners="$3" rate="$4" transport="$5" try="$6" pre seen
  pre="$work/$label-try$try"
  try_failed=""
  server_env=(PENTECOST_LIMITS_SESSION_CREATES_PER_HOUR=1000000
    PENTECOST_LIMITS_TRUSTED_NETWORKS=127.0.0.0/8)
  [ "$transport" = auto ] || server_env+=("PENTECOST_SERVER_TRANSPORT=$transport")
  if ! server_start "$label-try$try"; then
    echo "fanout.sh: $label: the server did not start (transport $transport)" >&2
    try_failed=start
    server_stop
    return 1
  fi
  seen="$(seen_transport "$work/server-$label-try$try.log")"
  echo "$seen" >"$pre.transport"
  if [ "$transport" != auto ] && [ "$seen" != "$transport" ]; then
    echo "fanout.sh: WARNING $label: asked for transport $transport, the server uses $seen" >&2
  fi
  wait_idle
  echo "== $label (try $try/$TRIES): $sessions x $listeners listeners, $FRAME_BYTES-byte frames at $rate/s," \
    "transport $seen, server pid $server_pid, $autogroup_note" >&2
  generator_run "$label" "$pre" "$sessions" "$listeners" "$rate" "$server_pid" \
    --url "http://127.0.0.1:$port"
  curl -fs --max-time 10 "http://127.0.0.1:$port/metrics" >"$pre.metrics1" || rm -f "$pre.metrics1"
  server_stop
  if ! generator_result "$label" "$pre"; then
    try_failed=bench
    return 1
  fi
  # ticks: time, machine user, then the user ticks of the server and the generator
  window_others "$label" "$pre" 4
}

# fanout_run <scenario> <label> <sessions> <listeners> <rate> [transport]: up to TRIES tries, the
# next one only when the last was disturbed; appends the least disturbed try to the summary.
fanout_run() {
  local scenario="$1" label="$2" sessions="$3" listeners="$4" rate="$5" transport="${6:-auto}"
  local try best="" best_others=""
  for try in $(seq 1 "$TRIES"); do
    if ! fanout_try "$label" "$sessions" "$listeners" "$rate" "$transport" "$try"; then
      [ "$try_failed" = start ] && break # a transport that does not load will not load next time
      continue
    fi
    try_keep "$label" "$try" && break
  done
  if [ -z "$best" ]; then
    failures=$((failures + 1))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$label" "$transport" "${sessions}x$listeners" \
      "$rate" "-" "$([ "$try_failed" = start ] && echo "server did not start" || echo "no result")" \
      >>"$work/summary.tsv"
    return 0
  fi
  local pre="$work/$label-try$best" fig flag=""
  fig="$(server_figures "$pre.metrics0" "$pre.metrics1")"
  [ "$best_others" != - ] && [ "$best_others" -ge "$OTHER_MAX" ] && flag="!"
  # shellcheck disable=SC2086 # fig is five words
  set -- $fig
  grep -m1 '^{' "$pre.out" | jq -c --arg sc "$scenario" --arg lb "$label" --arg tr "$transport" \
    --argjson nth "$best" --arg others "$best_others" --arg nice "${autogroup_nice:-}" \
    --arg seen "$(cat "$pre.transport")" \
    --arg fl "$1" --arg fo "$2" --arg fpw "$3" --arg p50 "$4" --arg p99 "$5" \
    --arg window "$([ -s "$pre.metrics0" ] && echo "1 s before the measured window to the end of the run" \
      || echo "the whole run")" '
    def n: if . == "-" or . == "" then null else tonumber end;
    {"scenario": $sc, "label": $lb, "transport": $tr, "serverTransport": $seen, "try": $nth,
     "otherProcessesCpuPercent": ($others | n), "autogroupNice": ($nice | n),
     "serverMetrics": {"counted": $window, "socketFlushes": ($fl | n), "framesOut": ($fo | n),
       "framesPerWrite": ($fpw | n), "fanoutLatencyP50Ms": ($p50 | n),
       "fanoutLatencyP99Ms": ($p99 | n)},
     "fanout": .}' >>"$work/results.jsonl"
  grep -m1 '^{' "$pre.out" | jq -r --arg sc "$scenario" --arg lb "$label" --arg tr "$(cat "$pre.transport")" \
    --arg others "$best_others$flag" --arg fpw "$3" --arg sp50 "$4" --arg sp99 "$5" '
    def f: if . == null then "-" else tostring end;
    [$sc, $lb, $tr, "\(.sessions)x\(.listenersPerSession)", (.rate | f), "ok",
     (.expectedDeliveriesPerSecond | f), (.deliveriesPerSecond | f), (.lost | f), (.missing | f),
     (.duplicated | f), (.latencyMs.p50 | f), (.latencyMs.p99 | f), (.latencyMs.p999 | f),
     (.server.cpuPercent | f), (.server.cpuMicrosPerDelivery | f), $fpw, $sp50, $sp99, $others,
     (if .joined == .listeners and .lost == 0 and .missing == 0 and .listenersDropped == 0
      then "yes" else "no" end), (if .complete then "yes" else "no" end)]
    | @tsv' >>"$work/summary.tsv"
}

failures=0
: >"$work/summary.tsv"
: >"$work/results.jsonl"
for scenario in $SCENARIOS; do
  case "$scenario" in
    big10) fanout_run big10 big10 "$SESSIONS" "$LISTENERS" 10 ;;
    big50) fanout_run big50 big50 "$SESSIONS" "$LISTENERS" 50 ;;
    small) fanout_run small small "$SMALL_SESSIONS" "$SMALL_LISTENERS" 50 ;;
    search)
      for rate in $RATES; do fanout_run search "search-$rate" "$SESSIONS" "$LISTENERS" "$rate"; done ;;
    transports)
      for t in $TRANSPORTS; do fanout_run transports "big10-$t" "$SESSIONS" "$LISTENERS" 10 "$t"; done ;;
  esac
done

elapsed=$(($(date +%s) - started_at))
echo
echo "=== fan-out summary: $FRAME_BYTES-byte frames, $WARMUP warm-up, $DURATION measured; $autogroup_note;"
echo "    $((elapsed / 60)) min $((elapsed % 60)) s in all. lost: gaps in the listeners' sequence numbers;"
echo "    missing: owed deliveries that never came; p50/p99/p99.9: from the speaker's send to the"
echo "    listener, ms; CPU%, us/deliv: the server's (100 % = one core); f/write: audio frames per"
echo "    socket flush; srv-p50/99: the server's own fan-out latency, ms; other%: other programs' user"
echo "    CPU in the window (! = disturbed); clean: every listener joined and got every frame once"
{
  printf 'run\ttransport\tSxL\trate\texpected/s\tdelivered/s\tlost\tmissing\tdup\tp50\tp99\tp99.9\tCPU%%\tus/deliv\tf/write\tsrv-p50\tsrv-p99\tother%%\tclean\n'
  awk -F'\t' -v OFS='\t' '
    $6 == "ok" { print $2, $3, $4, $5, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $22; next }
    { print $2, $3, $4, $5, $7 }' "$work/summary.tsv"
} | awk -F'\t' '
  { rows[NR] = $0; for (i = 1; i <= NF; i++) if (length($i) > w[i]) w[i] = length($i) }
  END {
    for (r = 1; r <= NR; r++) {
      n = split(rows[r], f, "\t"); line = ""
      for (i = 1; i <= n; i++) line = line sprintf(i == 1 ? "%-" w[i] "s" : "  %" w[i] "s", f[i])
      print line
    }
  }'
if [[ " $SCENARIOS " == *" search "* ]]; then
  echo
  echo "search, $SESSIONS x $LISTENERS listeners: loss and p99 by rate (frames/s per session)"
  awk -F'\t' -v max="$P99_MAX" '
    $1 == "search" && $6 == "ok" {
      ok = ($21 == "yes" && $13 != "-" && $13 + 0 <= max + 0)
      printf "  %5s: lost %s, missing %s, p99 %s ms; %s deliveries/s of %s%s\n", $5, $9, $10, $13,
        $8, $7, ok ? "" : "  (fails)"
      if (ok && (best == "" || $5 + 0 > best + 0)) { best = $5; bestd = $8 }
    }
    $1 == "search" && $6 != "ok" { printf "  %5s: %s\n", $5, $7 }
    END {
      if (best == "") printf "highest rate with zero loss and p99 <= %s ms: none of the rates tried\n", max
      else printf "highest rate with zero loss and p99 <= %s ms: %s frames/s per session (%s deliveries/s)\n",
        max, best, bestd
    }' "$work/summary.tsv"
fi
echo
echo "JSON lines:"
cat "$work/results.jsonl"
[ "$failures" -eq 0 ] || { echo "fanout.sh: $failures run(s) gave no result" >&2; exit 1; }
