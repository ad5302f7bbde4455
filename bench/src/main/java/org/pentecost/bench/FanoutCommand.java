package org.pentecost.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fanout}: audio fan-out under load. Creates N sessions, a speaker and M listeners in each,
 * has every speaker send frames at a fixed rate, and measures what the listeners receive:
 * deliveries against those expected, loss, duplicates and order by sequence number, and latency
 * from the send time each payload carries.
 */
@Command(
    name = "fanout",
    mixinStandardHelpOptions = true,
    description = {
      "Creates N sessions with one speaker and M listeners each; every speaker sends --frame-bytes"
          + " frames at --rate per second (the payload starts with its send time). After"
          + " --warmup, measures for --duration: deliveries per second against those expected,"
          + " lost, duplicated and reordered frames, latency percentiles, and the CPU of the"
          + " generator and (--server-pid) of the server.",
      "Output: one JSON line on stdout, then a table; progress goes to stderr.",
      "Exit status: 0 when every listener joined and got every frame once, 1 otherwise, 2 for bad"
          + " arguments."
    })
final class FanoutCommand implements Callable<Integer> {
  private static final long CLOSE_TIMEOUT_MILLIS = 10_000;
  private static final long DRAIN_MAX_MILLIS = 5_000;

  @Spec CommandSpec spec;

  @Mixin FanoutOptions o;

  @Option(names = "--quiet", description = "No progress lines on stderr.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    CommonOptions.Validated v;
    ServerProbe probe;
    try {
      v = o.validate();
      probe = o.serverPid == null ? null : ServerProbe.attach(o.serverPid);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    long setupDeadline = System.nanoTime() + o.timeout.toNanos();
    long hardDeadline = setupDeadline + o.warmup.toNanos() + o.duration.toNanos() + 60_000_000_000L;
    // Last resort: a run still going a minute past its own bound ends the process.
    return BenchVertx.run(
        o.eventLoops,
        hardDeadline,
        "fanout still running past its time bound; exiting",
        (vertx, out, err) -> run(v, probe, vertx, setupDeadline, out, err));
  }

  private int run(
      CommonOptions.Validated v,
      ServerProbe probe,
      Vertx vertx,
      long deadline,
      PrintStream out,
      PrintStream err)
      throws Exception {
    int listeners = o.sessions * o.listenersPerSession;
    int k = o.eventLoops;
    List<Target> listenerTargets = o.listenerTargets(v.target());
    Waits.log(err, "creating " + o.sessions + " session(s)");
    List<String> ids =
        Waits.await(
            new SessionCreator(vertx, v.target(), o.token)
                .create(o.sessions, o.sourceLanguage, Waits.remainingMillis(deadline)),
            Waits.remainingMillis(deadline));

    ListenerPool.Plan plan = new ListenerPool.Plan(ids, o.listenersPerSession, o.languages, false);
    ListenerRoutes routes =
        new ListenerRoutes(plan, listenerTargets, k, ListenerRoutes.fallbackUri(o.sourceLanguage));
    ListenerPool pool =
        new ListenerPool(
            vertx,
            routes,
            new ListenerPool.Settings(
                0, o.concurrency, k, o.connectTimeout.toMillis(), v.sourceAddresses()));
    WebSocketClient speakerClient =
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setMaxConnections(Integer.MAX_VALUE));
    List<FanoutLoop> loops = new ArrayList<>();
    for (ListenerDriver driver : pool.drivers()) {
      loops.add(
          new FanoutLoop(vertx, driver, routes, listenerTargets.size(), o.sessions, o.frameBytes));
    }
    Waits.await(pool.deploy(), Waits.remainingMillis(deadline));
    List<Future<Void>> housekeeping = new ArrayList<>();
    loops.forEach(l -> housekeeping.add(l.startHousekeeping()));
    Waits.await(Future.all(housekeeping), Waits.remainingMillis(deadline));

    // Speakers first: the listeners then join a live stream, as they would in church.
    Waits.log(err, "connecting " + o.sessions + " speaker(s)");
    URI base = URI.create(v.target().httpBase());
    List<Future<Void>> speaking = new ArrayList<>();
    for (int d = 0; d < k; d++) {
      List<Integer> mine = new ArrayList<>();
      for (int s = d; s < o.sessions; s += k) {
        mine.add(s);
      }
      FanoutLoop loop = loops.get(d);
      speaking.add(
          loop.on(
              () ->
                  loop.speakers.connect(
                      base,
                      o.token,
                      ids,
                      mine,
                      o.effectiveFrameMs(),
                      speakerClient,
                      o.connectTimeout)));
    }
    Waits.await(Future.all(speaking), Waits.remainingMillis(deadline));

    Waits.log(
        err,
        "opening "
            + listeners
            + " listener(s)"
            + (listenerTargets.size() > 1
                ? " on " + listenerTargets.size() + " listener URLs, round-robin"
                : ""));
    Future<Void> ramp = pool.start();
    FanoutProgress progress = new FanoutProgress(pool, loops, probe, listeners, quiet, err);
    progress.start();
    try {
      if (!Waits.awaitUntil(ramp, deadline)) {
        Waits.log(err, "timeout: not every listener joined; sending to those that did");
      }

      // Send: warm-up, then the measured window.
      long t0 = System.nanoTime() + 200_000_000L;
      long windowStart = t0 + o.warmup.toNanos();
      long windowEnd = windowStart + o.duration.toNanos();
      Pacer pacer = Pacer.of(t0, windowEnd - t0, o.rate);
      List<Future<Void>> started = new ArrayList<>();
      loops.forEach(l -> started.add(l.startSending(pacer, o.sessions, windowStart, windowEnd)));
      Waits.await(Future.all(started), 10_000);
      Waits.log(err, "sending; measuring from " + o.warmup.toMillis() / 1000.0 + " s");
      Waits.sleepUntil(windowStart);
      CpuMeter.Sample a = progress.cpu().sample();
      Waits.sleepUntil(windowEnd);
      CpuMeter.Sample b = progress.cpu().sample();
      drain(loops);
      progress.stop();

      List<Future<FanoutLoop.Result>> results = new ArrayList<>();
      loops.forEach(l -> results.add(l.result()));
      List<FanoutLoop.Result> parts = new ArrayList<>();
      var all = Waits.await(Future.all(results), 10_000);
      for (int d = 0; d < k; d++) {
        parts.add(all.resultAt(d));
      }
      FanoutResult r = FanoutResult.merge(parts, o.sessions);
      long rss = -1;
      if (probe != null) {
        rss = probe.rssBytes();
      }
      Waits.log(err, "closing");
      List<Future<Void>> closing = new ArrayList<>();
      loops.forEach(l -> closing.add(l.closeAll(CLOSE_TIMEOUT_MILLIS)));
      Waits.await(Future.join(closing), CLOSE_TIMEOUT_MILLIS + 5_000);
      Waits.await(Future.join(pool.shutdown(), speakerClient.close()), 5_000);

      List<String> args = Redact.args(spec.commandLine().getParseResult().originalArgs());
      FanoutReport.build(o, args, r, v, listenerTargets, probe, progress.cpu(), a, b, rss)
          .print(out);
      return r.clean(listeners) ? 0 : 1;
    } finally {
      progress.stop();
    }
  }

  /** Waits until the listeners stop receiving measured frames: 1 s unchanged, 5 s at most. */
  private static void drain(List<FanoutLoop> loops) throws Exception {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MAX_MILLIS);
    long last = -1;
    long stableSince = System.nanoTime();
    while (System.nanoTime() < until) {
      long delivered = 0;
      for (FanoutLoop l : loops) {
        delivered += Waits.await(l.on(() -> Future.succeededFuture(l.delivered())), 5_000);
      }
      if (delivered != last) {
        last = delivered;
        stableSince = System.nanoTime();
      } else if (System.nanoTime() - stableSince >= 1_000_000_000L) {
        return;
      }
      Thread.sleep(100);
    }
  }
}
