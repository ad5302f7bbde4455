package org.pentecost.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code connect}: a connection storm. Creates sessions, opens sessions x listeners WebSockets as
 * fast as allowed, holds them idle, measures the server, closes them, reports.
 */
@Command(
    name = "connect",
    mixinStandardHelpOptions = true,
    description = {
      "Creates S sessions, opens S x L listener WebSockets (bounded handshakes in flight), holds"
          + " them idle, then closes them. Reports joins per second, join latency, failures by"
          + " error and close code and, with --server-pid, the server's CPU during the ramp and"
          + " its memory per idle listener.",
      "Output: one JSON line on stdout, then a table; progress goes to stderr.",
      "Exit status: 0 when every listener joined and stayed, 1 otherwise, 2 for bad arguments."
    })
final class ConnectCommand implements Callable<Integer> {

  /** Listeners of the first session whose join rate is reported on its own. */
  static final int FIRST_SESSION_TARGET = 500;

  private static final long GC_SETTLE_MILLIS = 2_000;
  private static final long CLOSE_TIMEOUT_MILLIS = 10_000;

  enum Order {
    sequential,
    interleaved
  }

  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Option(
      names = "--hold",
      defaultValue = "10s",
      paramLabel = "DURATION",
      converter = CommonOptions.DurationConverter.class,
      description = "How long to hold the connections idle before measuring and closing (10s).")
  Duration hold;

  @Option(
      names = "--order",
      defaultValue = "sequential",
      paramLabel = "ORDER",
      description =
          "sequential: fill session 1, then session 2, ...; interleaved: round-robin over the"
              + " sessions (default: ${DEFAULT-VALUE}).")
  Order order;

  @Option(
      names = "--class-histogram",
      defaultValue = "0",
      paramLabel = "LINES",
      description =
          "With --server-pid: print this many lines of the server's class histogram after the"
              + " hold (jcmd GC.class_histogram).")
  int histogramLines;

  @Option(names = "--quiet", description = "No progress lines on stderr.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    CommonOptions.Validated v;
    try {
      v = common.validate();
      if (hold.isNegative()) {
        throw new IllegalArgumentException("--hold must not be negative");
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    ServerProbe probe;
    try {
      probe = common.serverPid == null ? null : ServerProbe.attach(common.serverPid);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    long startedAt = System.nanoTime();
    long deadline = startedAt + common.timeout.toNanos();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    // Last resort: a run still going 30 s after its deadline (a stuck close, a hung jcmd) ends.
    Thread watchdog =
        Waits.watchdog(
            deadline + TimeUnit.SECONDS.toNanos(30),
            "still running 30 s past --timeout; exiting",
            err);
    Vertx vertx = BenchVertx.create(common.eventLoops);
    ScheduledExecutorService ticker = Waits.daemonTicker();
    try {
      return run(v, probe, vertx, ticker, deadline, out, err);
    } finally {
      ticker.shutdownNow();
      BenchVertx.close(vertx, err);
      watchdog.interrupt();
    }
  }

  private int run(
      CommonOptions.Validated v,
      ServerProbe probe,
      Vertx vertx,
      ScheduledExecutorService ticker,
      long deadline,
      PrintStream out,
      PrintStream err)
      throws Exception {
    Report report = new Report();
    JsonObject json = report.json();
    int total = common.sessions * common.listenersPerSession;
    json.put("bench", "connect")
        .put("args", new JsonArray(Redact.args(spec.commandLine().getParseResult().originalArgs())))
        .put("target", v.target().httpBase())
        .put("sessions", common.sessions)
        .put("listenersPerSession", common.listenersPerSession)
        .put("listeners", total)
        .put("languages", new JsonArray(new ArrayList<>(common.languages)))
        .put("order", order.name())
        .put("rateLimit", common.rate)
        .put("concurrency", common.concurrency)
        .put("sourceAddresses", Math.max(1, v.sourceAddresses().size()))
        .put("eventLoops", common.eventLoops);

    // 1. Sessions.
    Waits.log(err, "creating " + common.sessions + " session(s)");
    List<String> sessionIds =
        Waits.await(
            new SessionCreator(vertx, v.target(), common.token)
                .create(common.sessions, common.sourceLanguage, Waits.remainingMillis(deadline)),
            Waits.remainingMillis(deadline));
    json.put("firstSessionId", sessionIds.get(0));

    ListenerPool.Settings settings =
        new ListenerPool.Settings(
            common.rate,
            common.concurrency,
            common.eventLoops,
            common.connectTimeout.toMillis(),
            v.sourceAddresses());

    // 1b. Warm-up: both JVMs compile the connection path before anything is measured.
    if (common.warmup > 0) {
      json.put("warmup", warmUp(vertx, v.target(), settings, deadline, err));
    }

    // 2. The server's memory before.
    long ticks = ServerProbe.clockTicksPerSecond();
    CpuMeter cpu = new CpuMeter(probe, ticks);
    long rssBefore = -1;
    OptionalLong heapBefore = OptionalLong.empty();
    if (probe != null) {
      Waits.log(err, "server " + probe.pid() + ": full GC, then RSS before connecting");
      probe.fullGc();
      Thread.sleep(GC_SETTLE_MILLIS);
      rssBefore = probe.rssBytes();
      heapBefore = probe.heapUsedBytes();
    }

    // 3. The ramp.
    ListenerPool.Plan plan =
        new ListenerPool.Plan(
            sessionIds, common.listenersPerSession, common.languages, order == Order.interleaved);
    ListenerPool pool = listeners(vertx, v.target(), plan, settings);
    Waits.await(pool.deploy(), Waits.remainingMillis(deadline));
    Waits.log(err, "opening " + total + " listener(s)");
    AtomicReference<Double> peakServerCpu = new AtomicReference<>(Double.NaN);
    AtomicReference<CpuMeter.Sample> lastTick = new AtomicReference<>();
    CpuMeter.Sample rampStart = cpu.sample();
    lastTick.set(rampStart);
    Future<Void> ramp = pool.start();
    var progress =
        ticker.scheduleAtFixedRate(
            () -> {
              CpuMeter.Sample now = cpu.sample();
              double serverPct = cpu.serverPercent(lastTick.getAndSet(now), now);
              if (!Double.isNaN(serverPct)) {
                peakServerCpu.accumulateAndGet(
                    serverPct, (a, b) -> Double.isNaN(a) ? b : Math.max(a, b));
              }
              if (!quiet) {
                Waits.log(
                    err,
                    String.format(
                        java.util.Locale.ROOT,
                        "%6.1fs joined %d/%d failed %d in flight %d server CPU %s%%",
                        (now.nanos() - rampStart.nanos()) / 1e9,
                        pool.joinedCount(),
                        total,
                        pool.failedCount(),
                        pool.inFlightCount(),
                        Report.num(serverPct, 0)));
              }
            },
            1,
            1,
            TimeUnit.SECONDS);
    boolean rampComplete = Waits.awaitUntil(ramp, deadline);
    CpuMeter.Sample rampEnd = cpu.sample();
    progress.cancel(false);
    if (!rampComplete) {
      Waits.log(err, "timeout: the ramp did not finish; no new connections");
      Waits.await(pool.stopLaunching(), 5_000);
    }

    // 4. Hold.
    long holdEnd = Math.min(System.nanoTime() + hold.toNanos(), deadline);
    Waits.log(err, "holding " + pool.openCount() + " connection(s) idle");
    Waits.sleepUntil(holdEnd);
    CpuMeter.Sample holdDone = cpu.sample();
    int held = pool.openCount();

    // 5. The server's memory after.
    long rssAfter1 = -1;
    long rssAfter2 = -1;
    OptionalLong heapAfter = OptionalLong.empty();
    List<String> histogram = List.of();
    if (probe != null && Waits.remainingMillis(deadline) > GC_SETTLE_MILLIS + 2_000) {
      Waits.log(
          err, "server " + probe.pid() + ": full GC, then RSS with " + held + " idle listeners");
      probe.fullGc();
      Thread.sleep(GC_SETTLE_MILLIS);
      rssAfter1 = probe.rssBytes();
      Thread.sleep(500);
      rssAfter2 = probe.rssBytes();
      heapAfter = probe.heapUsedBytes();
      if (histogramLines > 0) {
        histogram = probe.classHistogram(histogramLines);
      }
    }

    // 6. Close.
    Waits.log(err, "closing");
    Waits.await(pool.closeAll(CLOSE_TIMEOUT_MILLIS), CLOSE_TIMEOUT_MILLIS + 5_000);
    ListenerStats r = Waits.await(pool.result(), 5_000);
    Waits.await(pool.shutdown(), 5_000);

    // 7. Report.
    RampStats ramped =
        RampStats.compute(
            r.startNanos(), r.joinNanos(), i -> plan.sessionIndex(i) == 0, FIRST_SESSION_TARGET);
    boolean allJoined = r.joined() == total;
    json.put("complete", allJoined && rampComplete && r.droppedWhileHeld() == 0)
        .put("attempted", r.attempted())
        .put("joined", r.joined())
        .put("failed", r.failed())
        .put("notJoinedAtDeadline", r.stillConnecting())
        .put("notAttempted", total - r.attempted())
        .put("timeToAllSeconds", allJoined ? Report.round(ramped.lastJoinSeconds(), 3) : null)
        .put("rampSeconds", Report.round(ramped.lastJoinSeconds(), 3))
        .put("connectionsPerSecond", Report.round(ramped.joinsPerSecond(), 1))
        .put("peakConnectionsPerSecond1s", ramped.peakJoinsPerSecond());
    RampStats.FirstSession first = ramped.firstSession();
    if (first != null) {
      json.put(
          "oneSession",
          new JsonObject()
              .put("listeners", first.listeners())
              .put("seconds", Report.round(first.seconds(), 3))
              .put("connectionsPerSecond", Report.round(first.joinsPerSecond(), 1)));
    }
    json.put("joinLatencyMs", Report.latencyMillis(r.joinLatencyMicros()))
        .put("failures", new JsonObject(new java.util.LinkedHashMap<>(r.failures())))
        .put(
            "rejectionCloseCodes",
            new JsonObject(new java.util.LinkedHashMap<>(r.rejectionCloseCodes())))
        .put("droppedWhileHeld", r.droppedWhileHeld())
        .put("dropCloseCodes", new JsonObject(new java.util.LinkedHashMap<>(r.dropCloseCodes())))
        .put("held", held)
        .put("holdSeconds", Report.round((holdDone.nanos() - rampEnd.nanos()) / 1e9, 1))
        .put("closedCleanly", r.closedCleanly())
        .put("messagesAfterJoin", r.messagesAfterJoin())
        .put(
            "generator",
            new JsonObject()
                .put("cpuPercentRamp", Report.round(cpu.selfPercent(rampStart, rampEnd), 1))
                .put(
                    "cpuMicrosPerConnection",
                    Report.round(
                        Report.microsPer(
                            cpu.selfPercent(rampStart, rampEnd), rampStart, rampEnd, r.joined()),
                        1)))
        .put(
            "machine",
            new JsonObject()
                .put("cpus", Runtime.getRuntime().availableProcessors())
                .put("otherProcessesIncludeServer", probe == null)
                .put(
                    "otherProcessesCpuPercentRamp",
                    Report.round(cpu.othersPercent(rampStart, rampEnd), 1))
                .put(
                    "otherProcessesCpuPercentHold",
                    Report.round(cpu.othersPercent(rampEnd, holdDone), 1)));
    JsonObject server = new JsonObject();
    double bytesPerListener = Double.NaN;
    double heapPerListener = Double.NaN;
    if (probe != null) {
      long rssAfter = rssAfter2 >= 0 ? rssAfter2 : -1;
      bytesPerListener = rssAfter >= 0 ? Report.bytesPer(rssBefore, rssAfter, held) : Double.NaN;
      if (heapBefore.isPresent() && heapAfter.isPresent()) {
        heapPerListener = Report.bytesPer(heapBefore.getAsLong(), heapAfter.getAsLong(), held);
      }
      server
          .put("pid", Long.parseLong(probe.pid()))
          .put("cpuPercentRamp", Report.round(cpu.serverPercent(rampStart, rampEnd), 1))
          .put("cpuPercentPeak1s", Report.round(peakServerCpu.get(), 1))
          .put(
              "cpuMicrosPerConnection",
              Report.round(
                  Report.microsPer(
                      cpu.serverPercent(rampStart, rampEnd), rampStart, rampEnd, r.joined()),
                  1))
          .put("cpuPercentHold", Report.round(cpu.serverPercent(rampEnd, holdDone), 1))
          .put("rssBeforeBytes", rssBefore)
          .put(
              "rssAfterBytes", rssAfter >= 0 ? new JsonArray().add(rssAfter1).add(rssAfter2) : null)
          .put("rssGrowthBytes", rssAfter >= 0 ? rssAfter - rssBefore : null)
          .put("rssBytesPerListener", Report.round(bytesPerListener, 0))
          .put("heapUsedBeforeBytes", heapBefore.isPresent() ? heapBefore.getAsLong() : null)
          .put("heapUsedAfterBytes", heapAfter.isPresent() ? heapAfter.getAsLong() : null)
          .put("heapBytesPerListener", Report.round(heapPerListener, 0));
      json.put("server", server);
    }
    json.put("timeline", Report.array(ramped.timeline()));

    table(report, r, ramped, total, held, cpu, rampStart, rampEnd, holdDone, probe, server);
    if (!histogram.isEmpty()) {
      report.section("Server class histogram after the hold (jcmd GC.class_histogram)");
      for (String line : histogram) {
        report.row("", line);
      }
    }
    report.print(out);
    boolean ok = allJoined && rampComplete && r.droppedWhileHeld() == 0;
    return ok ? 0 : 1;
  }

  /** The listeners of {@code plan}, all on {@code target}. */
  private static ListenerPool listeners(
      Vertx vertx, Target target, ListenerPool.Plan plan, ListenerPool.Settings settings) {
    return new ListenerPool(
        vertx,
        new ListenerRoutes(
            plan, List.of(target), settings.eventLoops(), ListenerRoutes::listenerUri),
        settings);
  }

  /** Opens about {@code --warmup} listeners on their own sessions and closes them again. */
  private JsonObject warmUp(
      Vertx vertx, Target target, ListenerPool.Settings settings, long deadline, PrintStream err)
      throws Exception {
    int perSession = FIRST_SESSION_TARGET;
    if (common.listenersPerSession > 0 && common.listenersPerSession < perSession) {
      perSession = common.listenersPerSession;
    }
    if (common.warmup < perSession) {
      perSession = common.warmup;
    }
    int sessions = (common.warmup + perSession - 1) / perSession;
    Waits.log(err, "warm-up: " + sessions + " session(s) x " + perSession + " listener(s)");
    List<String> ids =
        Waits.await(
            new SessionCreator(vertx, target, common.token)
                .create(sessions, common.sourceLanguage, Waits.remainingMillis(deadline)),
            Waits.remainingMillis(deadline));
    ListenerPool pool =
        listeners(
            vertx,
            target,
            new ListenerPool.Plan(ids, perSession, common.languages, false),
            settings);
    Waits.await(pool.deploy(), Waits.remainingMillis(deadline));
    long started = System.nanoTime();
    if (!Waits.awaitUntil(pool.start(), deadline)) {
      Waits.await(pool.stopLaunching(), 5_000);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    Waits.await(pool.closeAll(CLOSE_TIMEOUT_MILLIS), CLOSE_TIMEOUT_MILLIS + 5_000);
    ListenerStats r = Waits.await(pool.result(), 5_000);
    Waits.await(pool.shutdown(), 5_000);
    Waits.log(
        err,
        String.format(
            java.util.Locale.ROOT,
            "warm-up: %d joined, %d failed in %.1f s",
            r.joined(),
            r.failed(),
            seconds));
    return new JsonObject()
        .put("listeners", sessions * perSession)
        .put("joined", r.joined())
        .put("failed", r.failed())
        .put("seconds", Report.round(seconds, 3));
  }

  private void table(
      Report report,
      ListenerStats r,
      RampStats ramped,
      int total,
      int held,
      CpuMeter cpu,
      CpuMeter.Sample rampStart,
      CpuMeter.Sample rampEnd,
      CpuMeter.Sample holdDone,
      ServerProbe probe,
      JsonObject server) {
    report.section(
        "connect: "
            + common.sessions
            + " session(s) x "
            + common.listenersPerSession
            + " listener(s), concurrency "
            + common.concurrency
            + ", rate "
            + (common.rate > 0 ? Report.num(common.rate, 0) + "/s" : "unlimited"));
    report.row("joined", Report.count(r.joined()) + " / " + Report.count(total));
    report.row(
        "connection rate",
        Report.num(ramped.joinsPerSecond(), 0)
            + " /s (peak second "
            + Report.count(ramped.peakJoinsPerSecond())
            + ")");
    RampStats.FirstSession first = ramped.firstSession();
    if (first != null) {
      report.row(
          "one session to " + first.listeners(),
          Report.num(first.seconds(), 3) + " s, " + Report.num(first.joinsPerSecond(), 0) + " /s");
    }
    report.row(
        "time to all",
        r.joined() == total ? Report.num(ramped.lastJoinSeconds(), 3) + " s" : "not reached");
    JsonObject lat = Report.latencyMillis(r.joinLatencyMicros());
    if (lat.containsKey("p50")) {
      report.row(
          "join latency ms",
          "p50 "
              + lat.getDouble("p50")
              + "  p90 "
              + lat.getDouble("p90")
              + "  p99 "
              + lat.getDouble("p99")
              + "  p99.9 "
              + lat.getDouble("p999")
              + "  max "
              + lat.getDouble("max"));
    }
    report.row("failed", Report.count(r.failed()));
    for (Map.Entry<String, Long> e : r.failures().entrySet()) {
      String sample = r.failureSamples().get(e.getKey());
      report.row(
          "  " + e.getKey(),
          Report.count(e.getValue()) + (sample == null ? "" : "  (" + abbreviate(sample) + ")"));
    }
    if (!r.rejectionCloseCodes().isEmpty()) {
      report.row("rejection close codes", r.rejectionCloseCodes().toString());
    }
    if (r.stillConnecting() > 0 || r.attempted() < total) {
      report.row(
          "not joined at deadline",
          Report.count(r.stillConnecting())
              + " in handshake, "
              + Report.count(total - r.attempted())
              + " never attempted");
    }
    report.row(
        "held idle",
        Report.count(held)
            + " for "
            + Report.num((holdDone.nanos() - rampEnd.nanos()) / 1e9, 1)
            + " s; dropped by the server "
            + r.droppedWhileHeld()
            + (r.dropCloseCodes().isEmpty() ? "" : " " + r.dropCloseCodes()));
    double selfPct = cpu.selfPercent(rampStart, rampEnd);
    report.row(
        "generator CPU (ramp)",
        Report.num(selfPct, 0)
            + " % of a core, "
            + Report.num(Report.microsPer(selfPct, rampStart, rampEnd, r.joined()), 0)
            + " us per connection");
    double others = cpu.othersPercent(rampStart, rampEnd);
    report.row(
        "other programs' CPU",
        Report.num(others, 0)
            + " % of a core during the ramp"
            + (probe == null
                ? " (the server included: no --server-pid)"
                : others > 10 ? "  (WARNING: a busy machine; these figures are doubtful)" : ""));
    if (probe != null) {
      report.section("Server (pid " + probe.pid() + ")");
      report.row(
          "CPU during the ramp",
          Report.num(cpu.serverPercent(rampStart, rampEnd), 0)
              + " % (peak second "
              + num(server.getDouble("cpuPercentPeak1s"))
              + " %; 100 % = one core)");
      double perConn =
          Report.microsPer(cpu.serverPercent(rampStart, rampEnd), rampStart, rampEnd, r.joined());
      report.row(
          "CPU per connection",
          Report.num(perConn, 0)
              + " us (one core would admit about "
              + Report.num(1e6 / perConn, 0)
              + " /s)");
      report.row("CPU while idle", Report.num(cpu.serverPercent(rampEnd, holdDone), 1) + " %");
      Long before = server.getLong("rssBeforeBytes");
      Long growth = server.getLong("rssGrowthBytes");
      report.row("RSS before", before == null || before < 0 ? "n/a" : Report.bytes(before));
      report.row(
          "RSS growth",
          growth == null
              ? "n/a"
              : Report.bytes(growth) + " for " + Report.count(held) + " idle listeners");
      report.row("RSS per idle listener", bytesOrNa(server.getDouble("rssBytesPerListener")));
      report.row("heap per idle listener", bytesOrNa(server.getDouble("heapBytesPerListener")));
    }
  }

  private static String num(Double d) {
    return d == null ? "n/a" : Report.num(d, 0);
  }

  private static String bytesOrNa(Double d) {
    return d == null ? "n/a" : Report.bytes(d);
  }

  private static String abbreviate(String s) {
    String one = s.replace('\n', ' ');
    return one.length() > 100 ? one.substring(0, 100) + "..." : one;
  }
}
