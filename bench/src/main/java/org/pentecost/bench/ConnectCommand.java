package org.pentecost.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
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
    long deadline = System.nanoTime() + common.timeout.toNanos();
    // Last resort: a run still going 30 s after its deadline (a stuck close, a hung jcmd) ends.
    return BenchVertx.run(
        common.eventLoops,
        deadline + TimeUnit.SECONDS.toNanos(30),
        "still running 30 s past --timeout; exiting",
        (vertx, out, err) -> run(v, probe, vertx, deadline, out, err));
  }

  private int run(
      CommonOptions.Validated v,
      ServerProbe probe,
      Vertx vertx,
      long deadline,
      PrintStream out,
      PrintStream err)
      throws Exception {
    List<String> args = Redact.args(spec.commandLine().getParseResult().originalArgs());
    ConnectReport report = new ConnectReport(common, order.name(), args, v);
    int total = common.sessions * common.listenersPerSession;

    // 1. Sessions.
    Waits.log(err, "creating " + common.sessions + " session(s)");
    List<String> sessionIds =
        Waits.await(
            new SessionCreator(vertx, v.target(), common.token)
                .create(common.sessions, common.sourceLanguage, Waits.remainingMillis(deadline)),
            Waits.remainingMillis(deadline));
    report.json().put("firstSessionId", sessionIds.get(0));

    ListenerPool.Settings settings =
        new ListenerPool.Settings(
            common.rate,
            common.concurrency,
            common.eventLoops,
            common.connectTimeout.toMillis(),
            v.sourceAddresses());

    // 1b. Warm-up: both JVMs compile the connection path before anything is measured.
    if (common.warmup > 0) {
      report.json().put("warmup", warmUp(vertx, v.target(), settings, deadline, err));
    }

    // 2. The server's memory before.
    CpuMeter cpu = new CpuMeter(probe, ServerProbe.clockTicksPerSecond());
    ServerMemory memory = probe == null ? null : new ServerMemory();
    if (memory != null) {
      memory.measureBefore(probe, err);
    }

    // 3. The ramp.
    ListenerPool.Plan plan =
        new ListenerPool.Plan(
            sessionIds, common.listenersPerSession, common.languages, order == Order.interleaved);
    ListenerPool pool = listeners(vertx, v.target(), plan, settings);
    Waits.await(pool.deploy(), Waits.remainingMillis(deadline));
    Waits.log(err, "opening " + total + " listener(s)");
    ConnectProgress progress = new ConnectProgress(pool, cpu, total, quiet, err);
    CpuMeter.Sample rampStart = cpu.sample();
    boolean rampComplete;
    CpuMeter.Sample rampEnd;
    try {
      Future<Void> ramp = pool.start();
      progress.start(rampStart);
      rampComplete = Waits.awaitUntil(ramp, deadline);
      rampEnd = cpu.sample();
    } finally {
      progress.stop();
    }
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
    if (memory != null) {
      memory.measureAfter(probe, held, histogramLines, deadline, err);
    }

    // 6. Close.
    ListenerStats r = closeAndCount(pool, err);

    // 7. Report.
    RampStats ramped =
        RampStats.compute(
            r.startNanos(), r.joinNanos(), i -> plan.sessionIndex(i) == 0, FIRST_SESSION_TARGET);
    ConnectReport.Figures figures =
        new ConnectReport.Figures(
            r,
            ramped,
            rampComplete,
            held,
            cpu,
            rampStart,
            rampEnd,
            holdDone,
            progress.peakServerCpu());
    report.results(figures, probe, memory);
    report.print(out);
    return figures.complete(total) ? 0 : 1;
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

  /** Closes the listeners, then their clients; returns what they did. */
  private static ListenerStats closeAndCount(ListenerPool pool, PrintStream err) throws Exception {
    Waits.log(err, "closing");
    Waits.await(pool.closeAll(CLOSE_TIMEOUT_MILLIS), CLOSE_TIMEOUT_MILLIS + 5_000);
    ListenerStats r = Waits.await(pool.result(), 5_000);
    Waits.await(pool.shutdown(), 5_000);
    return r;
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
            Locale.ROOT,
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
}
