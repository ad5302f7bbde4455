# shellcheck shell=bash disable=SC2034,SC2154 # globals shared with the sourcing script
# Shared shell code of the benchmark scripts (bench/ws/*.sh, bench/http/run.sh). Sourced, never run:
#
#   here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; root="$(cd "$here/../.." && pwd)"
#   bench_name=connect.sh                  # prefix of every message
#   . "$root/bench/lib/server.sh"
#   bench_workdir pentecost-ws-bench       # $work, removed on exit unless KEEP_DIR=1
#   server_env=(PENTECOST_LIMITS_TRUSTED_NETWORKS=127.0.0.0/8) server_pin=(taskset -c 0)
#   server_start one || exit 1             # fresh server: $port, $server_pid, $data, $token
#   wait_idle; ...; server_stop
#
# What the caller sets (globals; defaults in brackets):
#   root              the repository (needed)
#   jar               the server jar (needed)
#   bench_name        name in messages [bench]
#   OTHER_MAX         wait_idle: other programs' user CPU under this % of a core counts as idle [10]
#   IDLE_WAIT         wait_idle: seconds to wait at most, then measure anyway with a warning [120]
#   idle_quiet        wait_idle: idle seconds in a row needed [1]
#   stop_grace        server_stop: seconds between SIGTERM and SIGKILL [10]
#   server_env        array of VAR=value for the server's environment [()]
#   server_pin        array prefixed to the server command, e.g. (taskset -c 0) [()]
#   server_java_opts  JVM options, split on spaces [""]
#   server_args       extra arguments of `serve`, e.g. (--host 127.0.0.1) [()]
#   server_log_split  1: stdout to $work/server-LABEL.out, stderr to .err; else both to .log [0]
# For the runs of the fan-out generator (generator_durations, generator_run, try_keep; fanout.sh,
# cluster.sh): bench (bench/pentecost-bench), WARMUP, DURATION, SETUP_TIMEOUT, FRAME_BYTES,
# SOURCE_ADDRESSES, CONCURRENCY, TRIES, bench_cpu (pin_cores), and a function window_watch.
# Needs bash 4.4+ (empty arrays under set -u), java, curl, awk; setsid (util-linux) for
# autogroup_own_session.

bench_name="${bench_name:-bench}"
OTHER_MAX="${OTHER_MAX:-10}"
IDLE_WAIT="${IDLE_WAIT:-120}"
idle_quiet="${idle_quiet:-1}"
stop_grace="${stop_grace:-10}"
if ! declare -p server_env >/dev/null 2>&1; then server_env=(); fi
if ! declare -p server_pin >/dev/null 2>&1; then server_pin=(); fi
if ! declare -p server_args >/dev/null 2>&1; then server_args=(); fi
server_java_opts="${server_java_opts:-}"
server_log_split="${server_log_split:-0}"
server_pid=""
data=""
work=""
port=""
token=""
clk_tck="$(getconf CLK_TCK)"

# require_tools <tool...>: exits when one is missing.
require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$bench_name: $tool is not installed" >&2; exit 1; }
  done
}

# ensure_jar [mvn arguments...]: builds $jar with Maven (package, no tests) when it is missing.
ensure_jar() {
  if [ ! -f "$jar" ]; then
    echo "$bench_name: building $jar ..." >&2
    (cd "$root" && mvn -q -B -DskipTests -Dspotless.check.skip=true -Dspotbugs.skip=true \
        package "$@")
  fi
}

# pin_cores: server_cpu=(taskset -c 0) and bench_cpu=(taskset -c 1) on 2+ cores, else empty.
# SERVER_CORES (e.g. "0,1") gives the server those cores instead (the generator keeps core 1,
# shared with the server then: a run that measures the server on every core of a 2-core machine).
pin_cores() {
  server_cpu=(); bench_cpu=()
  if [ "$(nproc)" -ge 2 ]; then
    server_cpu=(taskset -c "${SERVER_CORES:-0}"); bench_cpu=(taskset -c 1)
  fi
}

# raise_nofile: every connection is a file descriptor; use the hard limit.
raise_nofile() { ulimit -n "$(ulimit -Hn)" 2>/dev/null || true; }

# bench_workdir <prefix>: a fresh work directory $work, and the exit traps (bench_cleanup).
bench_workdir() {
  work="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# bench_cleanup: stops the server; removes $work unless KEEP_DIR=1.
bench_cleanup() {
  server_stop
  [ -n "$work" ] || return 0
  if [ "${KEEP_DIR:-0}" = 1 ]; then
    echo "$bench_name: outputs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}

# free_port: prints a TCP port of 127.0.0.1 that nothing listens on.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "$bench_name: no free port found" >&2
  exit 1
}

# The server command; exec, so that the background job's PID ($!) is the JVM's.
_server_exec() {
  # shellcheck disable=SC2086 # server_java_opts is a list of options
  exec env "${server_env[@]}" "${server_pin[@]}" java $server_java_opts -jar "$jar" serve \
    "${server_args[@]}" --port "$port" --data-dir "$data"
}

# server_start <label>: a fresh server on a free port and an empty data directory
# ($work/data-LABEL), started with server_env, server_pin, server_java_opts and server_args; waits
# up to 60 s for /health, then mints a token for user "bench". Sets port, server_pid, data, token.
# Returns 1 (with the server's log on stderr) when the server died or never became healthy.
server_start() {
  local label="$1" log
  port="$(free_port)"
  data="$work/data-$label"
  mkdir -p "$data"
  if [ "$server_log_split" = 1 ]; then
    log="$work/server-$label.err"
    _server_exec >"$work/server-$label.out" 2>"$log" </dev/null &
  else
    log="$work/server-$label.log"
    _server_exec >"$log" 2>&1 </dev/null &
  fi
  server_pid=$!
  for _ in $(seq 1 120); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/health" && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "$bench_name: server died" >&2
      cat "$log" >&2
      server_pid=""
      return 1
    fi
    sleep 0.5
  done
  if ! curl -fs -o /dev/null "http://127.0.0.1:$port/health"; then
    echo "$bench_name: server did not start" >&2
    tail -20 "$log" >&2
    return 1
  fi
  token="$(java -jar "$jar" token --user bench --data-dir "$data" 2>/dev/null | tail -1)"
  [ -n "$token" ] || { echo "$bench_name: could not mint a token" >&2; return 1; }
}

# server_stop: SIGTERM to the server, SIGKILL after stop_grace s; removes its data directory.
server_stop() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 $((stop_grace * 10))); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "$bench_name: server $server_pid did not stop within $stop_grace s of SIGTERM; killing it" >&2
      kill -9 "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
  if [ -n "$data" ]; then rm -rf "$data"; fi
  data=""
}

# CPU ticks (clk_tck per second): user-mode of the whole machine (all cores, with nice), user of
# one process, user + system of one process. Other programs' load is judged by user time only:
# the kernel's own work for the benchmark (loopback networking in softirq, writing back files)
# must not count as a disturbance.
machine_user_ticks() { awk '/^cpu /{print $2 + $3}' /proc/stat; }
proc_user_ticks() { awk '{print $14}' "/proc/$1/stat" 2>/dev/null || echo 0; }
proc_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# wait_idle: waits until processes other than our server have used under OTHER_MAX % of a core
# (user time) for idle_quiet seconds in a row, up to IDLE_WAIT s; then measures anyway.
wait_idle() {
  local waited=0 quiet=0 m0 m1 s0 s1 other
  while :; do
    m0="$(machine_user_ticks)"; s0="$(proc_user_ticks "$server_pid")"
    sleep 1
    m1="$(machine_user_ticks)"; s1="$(proc_user_ticks "$server_pid")"
    other=$((((m1 - m0) - (s1 - s0)) * 100 / clk_tck))
    if [ "$other" -lt "$OTHER_MAX" ]; then quiet=$((quiet + 1)); else quiet=0; fi
    [ "$quiet" -ge "$idle_quiet" ] && return
    waited=$((waited + 1))
    if [ "$waited" -ge "$IDLE_WAIT" ]; then
      echo "$bench_name: WARNING other processes are using $other% of a core; measuring anyway" >&2
      return
    fi
  done
}

# autogroup_own_session "$@": with sched_autogroup on, `nice` does not shield a benchmark from other
# sessions' programs: the scheduler first shares each CPU between autogroups (one per session),
# then within them. So when the autogroup can be raised (root, AUTOGROUP != 0), the calling script
# runs itself again in a session of its own (setsid), whose autogroup holds only the script, the
# server and the generator; autogroup_boost then raises that one, not the caller's. Ctrl-C or
# SIGTERM to the outer script is passed on to the whole inner session. Returns in the inner run
# (or when there is nothing to do); the outer one exits with the inner one's status.
autogroup_own_session() {
  [ "${AUTOGROUP:-1}" != 0 ] || return 0
  [ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" = 1 ] || return 0
  [ "$(id -u)" = 0 ] && [ -w /proc/self/autogroup ] || return 0
  command -v setsid >/dev/null || return 0
  [ "$(awk '{print $6}' /proc/$$/stat)" != "$$" ] || return 0 # already a session leader
  [ "${PENTECOST_BENCH_INNER:-}" != 1 ] || return 0
  local inner rc=0
  # A background child of a non-interactive shell is not a process group leader: setsid does not
  # fork, so $! is the new session's leader and its process group id.
  PENTECOST_BENCH_INNER=1 setsid bash "$0" "$@" </dev/null &
  inner=$!
  trap 'kill -TERM -- "-$inner" 2>/dev/null || true' INT TERM
  while :; do
    rc=0
    wait "$inner" || rc=$?
    kill -0 "$inner" 2>/dev/null || break
  done
  exit "$rc"
}

# autogroup_boost: sets this session's autogroup to nice -20 when it can, and says so
# ("autogroup nice -20"); otherwise says why not. Leaves the text in autogroup_note, and -20 in
# autogroup_nice when it was raised (else it is empty).
autogroup_boost() {
  autogroup_note="autogroup not raised"
  autogroup_nice=""
  if [ "${AUTOGROUP:-1}" = 0 ]; then
    autogroup_note="autogroup not raised (AUTOGROUP=0)"
  elif [ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" != 1 ]; then
    autogroup_note="autogroup scheduling off; nice only"
  elif [ "$(id -u)" != 0 ]; then
    autogroup_note="autogroup not raised (not root): other sessions share the CPU with this benchmark"
  elif (echo -20 >/proc/self/autogroup) 2>/dev/null; then
    autogroup_nice=-20
    autogroup_note="autogroup nice -20 ($(cut -d' ' -f1 /proc/self/autogroup), session $(awk '{print $6}' /proc/$$/stat))"
  else
    autogroup_note="autogroup not raised (writing /proc/self/autogroup failed)"
  fi
  echo "$bench_name: $autogroup_note" >&2
}

# seconds <duration>: 500ms, 10s, 2m or a plain number of seconds, in seconds ("x" when malformed).
seconds() {
  awk -v d="$1" 'BEGIN {
    if (d ~ /^[0-9.]+ms$/) { sub(/ms$/, "", d); print d / 1000; exit }
    if (d ~ /^[0-9.]+s?$/) { sub(/s$/, "", d); print d + 0; exit }
    if (d ~ /^[0-9.]+m$/) { sub(/m$/, "", d); print d * 60; exit }
    print "x" }'
}

# generator_durations: WARMUP, DURATION and SETUP_TIMEOUT (needed) in seconds as warmup_s,
# duration_s and setup_s; exits 2 when one of them is malformed.
generator_durations() {
  local v
  warmup_s="$(seconds "$WARMUP")"; duration_s="$(seconds "$DURATION")"; setup_s="$(seconds "$SETUP_TIMEOUT")"
  for v in "$warmup_s" "$duration_s" "$setup_s"; do
    [ "$v" != x ] || { echo "$bench_name: WARMUP, DURATION and SETUP_TIMEOUT take 500ms, 10s, 2m" >&2; exit 2; }
  done
}

# The generator of a run and its helpers (generator_run): their PIDs, empty when none runs.
gen_pid=""
watch_pid=""
guard_pid=""

# stop_helpers: ends the generator, its window watcher and its time-limit guard, if running.
stop_helpers() {
  local p
  for p in "$guard_pid" "$watch_pid" "$gen_pid"; do
    if [ -n "$p" ]; then kill "$p" 2>/dev/null || true; fi
  done
  guard_pid=""; watch_pid=""; gen_pid=""
}

# generator_run <label> <prefix> <sessions> <listeners> <rate> <server pid> <url options...>:
# runs `$bench fanout` (with bench_cpu, $token, FRAME_BYTES, WARMUP, DURATION, SOURCE_ADDRESSES,
# CONCURRENCY, SETUP_TIMEOUT, --quiet unless PROGRESS=1) in the background, stdout to <prefix>.out
# and stderr to <prefix>.err and ours; the caller's `window_watch <generator pid> <prefix>.err
# <prefix>` alongside; and a guard that ends the generator when it is still there setup_s +
# warmup_s + duration_s + 90 s after its start. Waits for all three; sets gen_rc to the
# generator's exit status.
generator_run() {
  local label="$1" pre="$2" sessions="$3" listeners="$4" rate="$5" spid="$6" limit quiet=(--quiet)
  shift 6
  [ "${PROGRESS:-0}" = 1 ] && quiet=()
  gen_rc=0
  PENTECOST_BENCH_TOKEN="$token" "${bench_cpu[@]}" "$bench" fanout "$@" \
    --sessions "$sessions" --listeners-per-session "$listeners" --frame-bytes "$FRAME_BYTES" \
    --rate "$rate" --warmup "$WARMUP" --duration "$DURATION" --source-addresses "$SOURCE_ADDRESSES" \
    --concurrency "$CONCURRENCY" --server-pid "$spid" --timeout "$SETUP_TIMEOUT" "${quiet[@]}" \
    >"$pre.out" 2> >(tee "$pre.err" >&2) &
  gen_pid=$!
  window_watch "$gen_pid" "$pre.err" "$pre" &
  watch_pid=$!
  limit="$(awk -v a="$setup_s" -v b="$warmup_s" -v c="$duration_s" 'BEGIN { printf "%d", a + b + c + 90 }')"
  (
    sleep "$limit" &
    trap 'kill $! 2>/dev/null; exit 0' TERM
    wait $!
    echo "$bench_name: $label: the generator is still running after $limit s; ending it" >&2
    kill "$gen_pid" 2>/dev/null; sleep 10; kill -9 "$gen_pid" 2>/dev/null
  ) &
  guard_pid=$!
  wait "$gen_pid" || gen_rc=$?
  kill "$guard_pid" 2>/dev/null || true
  wait "$guard_pid" 2>/dev/null || true
  wait "$watch_pid" 2>/dev/null || true
  gen_pid=""; watch_pid=""; guard_pid=""
}

# generator_result <label> <prefix>: prints the generator's table (<prefix>.out but its first
# line); needs gen_rc. Returns 1, saying so, when there is no JSON line; warns when gen_rc is not 0.
generator_result() {
  local label="$1" pre="$2"
  sed -n '2,$p' "$pre.out"
  if ! grep -q '^{' "$pre.out"; then
    echo "$bench_name: $label: the generator gave no result (exit $gen_rc)" >&2
    return 1
  fi
  [ "$gen_rc" -eq 0 ] || echo "$bench_name: $label: not every listener got every frame once (exit $gen_rc)" >&2
}

# window_others <label> <prefix> <last column>: other programs' user CPU (% of a core, "-" when
# the window was not sampled twice) from <prefix>.ticks, whose lines are "time machineUser
# ourUser... " with our processes' user ticks in columns 3 to <last column>. Writes it to
# <prefix>.others and says it.
window_others() {
  local label="$1" pre="$2" last="$3" others="-"
  if [ "$(wc -l <"$pre.ticks" 2>/dev/null || echo 0)" -eq 2 ]; then
    others="$(awk -v hz="$clk_tck" -v last="$last" 'NR == 1 { split($0, s) } NR == 2 {
        o = $2 - s[2]; for (i = 3; i <= last; i++) o -= $i - s[i]
        o = o / hz / (($1 - s[1]) / 1e9) * 100
        printf "%.0f", o < 0 ? 0 : o }' "$pre.ticks")"
  fi
  echo "$others" >"$pre.others"
  echo "$bench_name: $label: other programs used ${others}% of a core (user time) during the measured window" >&2
}

# try_keep <label> <try>: after a try with a result, keeps it in the caller's best and best_others
# when it is the least disturbed so far (by $work/<label>-try<try>.others, OTHER_MAX). Returns 0
# when the try was undisturbed (no need of another), else 1, saying whether another follows
# (needs TRIES).
try_keep() {
  local label="$1" try="$2" o
  o="$(cat "$work/$label-try$try.others")"
  if [ -z "$best" ] || { [ "$o" != - ] && { [ "$best_others" = - ] || [ "$o" -lt "$best_others" ]; }; }; then
    best="$try"; best_others="$o"
  fi
  if [ "$o" != - ] && [ "$o" -lt "$OTHER_MAX" ]; then return 0; fi
  if [ "$try" -lt "$TRIES" ]; then
    echo "$bench_name: $label: disturbed, running it again" >&2
  else
    echo "$bench_name: WARNING $label: still disturbed after $TRIES tries; keeping the least disturbed" >&2
  fi
  return 1
}
