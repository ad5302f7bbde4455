#!/usr/bin/env bash
# Throughput and latency of the session HTTP API (GET /sessions/{id}, POST /sessions) with wrk.
#
#   bench/http/run.sh                      # full matrix: 35 minutes or more (it waits out other load)
#   SCENARIOS=get CONNECTIONS=64 PINNING=pinned ACCESS_LOG=off bench/http/run.sh
#   SCENARIOS="get floor" CONNECTIONS=64 PINNING=pinned ACCESS_LOG=on bench/http/run.sh   # the ratio
#
# Every server gets a free port, a fresh temporary data directory (the durable embedded store)
# and raised limits, so that the per-user creation limit and the server-wide throttle are not
# what is measured. It is stopped by PID when its runs are done.
#   get:  one server per access-log x pinning mode; warm-up, then one wrk run per connection
#         count against one existing session (reads do not change the store).
#   post: one fresh server per access-log x pinning x connection count; warm-up, then one run.
#         Each create grows the store, and a large store is slower, so every POST figure starts
#         from the same state: an empty store plus the warm-up's sessions.
#   floor: the issue's reference, org.pentecost.bench.HttpFloor (bench module): a minimal Vert.x 5
#         server, one event loop, answering every request with the JSON body Pentecost's GET gave,
#         measured exactly like get (same pinning, warm-up, connections, duration), once per
#         pinning mode. Needs get in the same run (for the body); the summary then gives each GET
#         row's throughput as a ratio of the floor's (target: >= 0.6 with the access log on).
# wrk's output is printed as it comes, with the server's CPU split by thread; a summary table
# follows at the end.
#
# Settings (environment):
#   SCENARIOS    "get floor post"  which calls to measure
#   CONNECTIONS  "16 64 256"       wrk -c values
#   PINNING      "pinned shared"   pinned: server on core 0, wrk on core 1 (needs >= 2 cores);
#                                  shared: neither pinned, both use every core
#   ACCESS_LOG   "on off"          on: the default JSON access line per request, stdout to a file;
#                                  off: -Dpentecost.access.level=OFF
#   DURATION     20s               each measured run
#   WARMUP       40s               GET: one run at 64 connections before measuring. On one core the
#                                  JIT compiler shares the core with the server: after 10 s GET is
#                                  at a tenth of its speed, after 30-40 s it is warm
#   POST_WARMUP  90s               POST: the same before each POST run; its code (JWT, Jackson,
#                                  MVStore) keeps C2 busy for over a minute
#   THREADS      1                 wrk -t
#   OTHER_MAX    10                a run is "disturbed" when other programs on the machine used
#                                  more than this % of a core (user time) during it
#   QUIET        5                 before each run, wait for that many quiet seconds in a row,
#   IDLE_WAIT    300               but no longer than this (then it runs anyway, with a warning)
#   TRIES        3                 a disturbed run is repeated (POST: on a fresh server) up to
#                                  this many times in all; the summary keeps the fastest try
#                                  (interference only slows a run down), flagged "!" if disturbed
#   PENTECOST_JAR                  default server/target/pentecost.jar (built when missing)
#   JAVA_OPTS                      extra JVM options for the server
#   KEEP_DIR=1                     keep the work directory (server logs, wrk outputs)
# Needs: java 17+, wrk, curl, taskset (util-linux); mvn only when the jar has to be built.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="${PENTECOST_JAR:-$root/server/target/pentecost.jar}"
SCENARIOS="${SCENARIOS:-get floor post}"
CONNECTIONS="${CONNECTIONS:-16 64 256}"
PINNING="${PINNING:-pinned shared}"
ACCESS_LOG="${ACCESS_LOG:-on off}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-40s}"
POST_WARMUP="${POST_WARMUP:-90s}"
THREADS="${THREADS:-1}"
IDLE_WAIT="${IDLE_WAIT:-300}"
OTHER_MAX="${OTHER_MAX:-10}"
QUIET="${QUIET:-5}"
TRIES="${TRIES:-3}"
JAVA_OPTS="${JAVA_OPTS:-}"

bench_name=run.sh
idle_quiet="$QUIET"
stop_grace=5
# shellcheck source=bench/lib/server.sh
. "$root/bench/lib/server.sh"
require_tools java wrk curl taskset timeout
# shellcheck disable=SC2119 # no Maven arguments: the whole project, as before
ensure_jar
if [ "$(nproc)" -lt 2 ] && [[ " $PINNING " == *" pinned "* ]]; then
  echo "run.sh: fewer than 2 cores, skipping the pinned mode" >&2
  PINNING="${PINNING//pinned/}"
fi

bench_workdir pentecost-bench
server_env=(PENTECOST_LIMITS_SESSION_CREATES_PER_HOUR=100000000
  PENTECOST_LIMITS_HTTP_REQUESTS_PER_SECOND=1000000
  PENTECOST_LIMITS_HTTP_BURST=1000000)
server_log_split=1

# CPU ticks (user + system) used so far by each thread of a process.
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' '_' <"$t/comm")" "$(awk '{print $14 + $15}' "$t/stat")"
  done 2>/dev/null | sort
}
# start_server <label> <pinning> <access-log>
start_server() {
  local label="$1" pin="$2" log="$3"
  server_java_opts="$JAVA_OPTS"
  [ "$log" = off ] && server_java_opts="$server_java_opts -Dpentecost.access.level=OFF"
  server_pin=()
  [ "$pin" = pinned ] && server_pin=(taskset -c 0)
  server_start "$label" || exit 1
  session_id="$(curl -fs -X POST "http://127.0.0.1:$port/sessions" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"sourceLanguage":"en"}' | sed -E 's/.*"sessionId":"([^"]+)".*/\1/')"
  [ -n "$session_id" ] || { echo "run.sh: could not create a session" >&2; exit 1; }
  curl -fs "http://127.0.0.1:$port/sessions/$session_id" >"$work/get-body.json"
  echo "== server pid $server_pid, port $port, $pin, access log $log, session $session_id" >&2
}

# wrk_run <scenario> <connections> <duration> <pinning> <outfile>; leaves wrk's CPU % in wrk_cpu
wrk_run() {
  local scenario="$1" conns="$2" dur="$3" pin="$4" out="$5" arg cmd=() TIMEFORMAT='%R %U %S'
  if [ "$scenario" = post ]; then arg="$token"; else arg="$session_id"; fi
  [ "$scenario" = floor ] && scenario=get
  [ "$pin" = pinned ] && cmd=(taskset -c 1)
  { time timeout $((${dur%s} + 30)) "${cmd[@]}" wrk -t"$THREADS" -c"$conns" -d"$dur" \
      --timeout 5s --latency -s "$here/$scenario.lua" "http://127.0.0.1:$port" -- "$arg" \
      >"$out"; } 2>"$out.time"
  wrk_cpu="$(awk '{printf "%.0f", ($2 + $3) / $1 * 100}' "$out.time")"
  wrk_user="$(awk '{printf "%.0f", $2 / $1 * 100}' "$out.time")"
}

# measure <scenario> <pinning> <access-log> <connections> <try>: one run against the running
# server; sets "disturbed" when other programs used the CPU meanwhile
measure() {
  local scenario="$1" pin="$2" log="$3" conns="$4" try="$5" out t0 t1 c0 c1 u0 u1 m0 m1 cpu other
  local sessions flag=""
  out="$work/wrk-$scenario-$pin-log$log-c$conns-try$try.txt"
  wait_idle
  thread_ticks "$server_pid" >"$out.threads0"
  t0="$(date +%s.%N)"; c0="$(proc_cpu_ticks "$server_pid")"; u0="$(proc_user_ticks "$server_pid")"
  m0="$(machine_user_ticks)"
  wrk_run "$scenario" "$conns" "$DURATION" "$pin" "$out"
  t1="$(date +%s.%N)"; c1="$(proc_cpu_ticks "$server_pid")"; u1="$(proc_user_ticks "$server_pid")"
  m1="$(machine_user_ticks)"
  thread_ticks "$server_pid" >"$out.threads1"
  cpu="$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" -v hz="$clk_tck" \
    'BEGIN { printf "%.0f", (b - a) / hz / (e - s) * 100 }')"
  # user-mode CPU of every other program on the machine meanwhile
  other="$(awk -v a="$m0" -v b="$m1" -v u0="$u0" -v u1="$u1" -v s="$t0" -v e="$t1" -v hz="$clk_tck" \
    -v w="$wrk_user" 'BEGIN { o = ((b - a) - (u1 - u0)) / hz / (e - s) * 100 - w; printf "%.0f", o < 0 ? 0 : o }')"
  disturbed=0
  if [ "$other" -ge "$OTHER_MAX" ]; then
    disturbed=1
    flag="!"
  fi
  # sessions in the store: the warm-up's and this run's successful creates
  sessions="$(awk '/requests in/ { n += $1 } /Non-2xx/ { n -= $NF } END { printf "%d", n }' \
    "$work/warmup.txt" "$out")"
  echo "### $scenario, $pin, access log $log, $conns connections, try $try: server CPU $cpu%, wrk CPU $wrk_cpu%, other programs $other% user (100% = one core)${flag:+ DISTURBED}"
  cat "$out"
  printf 'server CPU by thread (%% of one core): '
  join "$out.threads0" "$out.threads1" | awk -v secs="$(awk -v s="$t0" -v e="$t1" 'BEGIN{print e-s}')" \
    -v hz="$clk_tck" '{ n = $2; sub(/[#_]?[0-9]+$/, "", n); d[n] += $5 - $3 }
      END { for (k in d) if (d[k] > 0) printf "%.0f %s\n", d[k] / hz / secs * 100, k }' |
    sort -rn | head -6 | awk '{ printf "%s %s%%  ", $2, $1 } END { print "" }'
  # CPU time per answered request: steadier than req/s when other programs share the machine
  join "$out.threads0" "$out.threads1" | awk -v hz="$clk_tck" \
    -v n="$(awk '/requests in/ { print $1 }' "$out")" '
      { d = $5 - $3; all += d; if ($2 ~ /^vert\.x-eventloo/) loop += d }
      END { if (n > 0) printf "server CPU per request: %.1f us (event loop %.1f us)\n",
              all / hz / n * 1e6, loop / hz / n * 1e6 }'
  [ "$scenario" = post ] && echo "sessions in the store: about $sessions; store file $(du -h "$data/sessions.mv.db" | cut -f1)"
  echo
  awk -v sc="$scenario" -v pin="$pin" -v lg="$log" -v c="$conns" -v cpu="$cpu" -v wc="$wrk_cpu" -v oc="$other$flag" '
    /^ +Latency +[0-9]/ { max = $4 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { non = $NF } /Socket errors/ { err = "+sockerr" }
    /^Requests\/sec/ { rps = $2 }
    END { printf "%-5s %-7s %-4s %5s %10s %9s %9s %9s %8s %7s %7s %7s\n",
          sc, pin, lg, c, rps, p50, p99, max, (non == "" ? 0 : non) err, cpu, wc, oc }' \
    "$out" >>"$work/tries"
}

# Appends the best try (most requests per second) of one cell to the summary.
keep_best() {
  sort -k5 -g -r "$work/tries" | head -1 >>"$summary"
  rm -f "$work/tries"
}

# start_floor <pinning>: the minimal Vert.x server (HttpFloor) on a free port, answering with the
# body of Pentecost's GET; sets port and server_pid (stopped by server_stop).
start_floor() {
  local pin="$1" cmd=()
  [ -f "$bench_jar" ] || (cd "$root" && mvn -q -B -DskipTests -Dspotless.check.skip=true \
    -Dspotbugs.skip=true package -pl bench -am >&2)
  port="$(free_port)"
  data=""
  [ "$pin" = pinned ] && cmd=(taskset -c 0)
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  "${cmd[@]}" java $JAVA_OPTS -cp "$bench_jar" org.pentecost.bench.HttpFloor "$port" \
    "$work/get-body.json" >"$work/floor-$pin.out" 2>&1 </dev/null &
  server_pid=$!
  for _ in $(seq 1 60); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.5
  done
  echo "== floor pid $server_pid, port $port, $pin" >&2
}
bench_jar="$root/bench/target/pentecost-bench.jar"

summary="$work/summary.txt"
printf '%-5s %-7s %-4s %5s %10s %9s %9s %9s %8s %7s %7s %7s\n' \
  scen pinning log conns req/s p50 p99 max non-2xx srvCPU% wrkCPU% other% >"$summary"

for log in $ACCESS_LOG; do
  for pin in $PINNING; do
    if [[ " $SCENARIOS " == *" get "* ]]; then
      start_server "get-$pin-log$log" "$pin" "$log"
      echo "-- warm-up get, $WARMUP, 64 connections" >&2
      wrk_run get 64 "$WARMUP" "$pin" "$work/warmup.txt"
      for conns in $CONNECTIONS; do
        for try in $(seq 1 "$TRIES"); do
          measure get "$pin" "$log" "$conns" "$try"
          [ "$disturbed" = 0 ] && break
        done
        keep_best
      done
      server_stop
      if [[ " $SCENARIOS " == *" floor "* ]] && [ ! -f "$work/floor-$pin.done" ]; then
        start_floor "$pin"
        echo "-- warm-up floor, $WARMUP, 64 connections" >&2
        wrk_run floor 64 "$WARMUP" "$pin" "$work/warmup.txt"
        for conns in $CONNECTIONS; do
          for try in $(seq 1 "$TRIES"); do
            measure floor "$pin" - "$conns" "$try"
            [ "$disturbed" = 0 ] && break
          done
          keep_best
        done
        server_stop
        touch "$work/floor-$pin.done"
      fi
    fi
    if [[ " $SCENARIOS " == *" post "* ]]; then
      for conns in $CONNECTIONS; do
        for try in $(seq 1 "$TRIES"); do
          start_server "post-$pin-log$log-c$conns" "$pin" "$log"
          echo "-- warm-up post, $POST_WARMUP, 64 connections" >&2
          wrk_run post 64 "$POST_WARMUP" "$pin" "$work/warmup.txt"
          measure post "$pin" "$log" "$conns" "$try"
          server_stop
          [ "$disturbed" = 0 ] && break
        done
        keep_best
      done
    fi
  done
done

echo "=== summary (CPU: % of one core averaged over the run; server = the whole JVM;"
echo "    other = user CPU of every other program on the machine; ! = disturbed, read with care;"
echo "    each row is the fastest of its tries)"
cat "$summary"
if grep -q '^floor' "$summary"; then
  echo "=== GET as a ratio of the minimal Vert.x server (same pinning and connections; target >= 0.6)"
  awk '$1 == "floor" { f[$2 " " $4] = $5 }
       $1 == "get" { g[++n] = $2 " " $4; r[n] = $5; l[n] = $3 }
       END { for (i = 1; i <= n; i++) if (g[i] in f)
               printf "get %s, access log %s: %.2f x (%s / %s req/s)\n", g[i], l[i], r[i] / f[g[i]], r[i], f[g[i]] }' \
    "$summary"
fi
