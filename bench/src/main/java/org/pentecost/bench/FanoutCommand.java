package org.pentecost.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.pentecost.protocol.Messages;
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
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    // Last resort: a run still going a minute past its own bound ends the process.
    Thread watchdog =
        Waits.watchdog(hardDeadline, "fanout still running past its time bound; exiting", err);
    Vertx vertx = BenchVertx.create(o.eventLoops);
    try {
      return run(v, probe, vertx, setupDeadline, out, err);
    } finally {
      BenchVertx.close(vertx, err);
      watchdog.interrupt();
    }
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

    List<WebSocketClient> clients = new ArrayList<>();
    List<String> addresses = v.sourceAddresses().isEmpty() ? null : v.sourceAddresses();
    for (int a = 0; a < (addresses == null ? 1 : addresses.size()); a++) {
      WebSocketClientOptions options =
          new WebSocketClientOptions()
              .setConnectTimeout((int) o.connectTimeout.toMillis())
              .setMaxConnections(Integer.MAX_VALUE);
      if (addresses != null) {
        options.setLocalAddress(addresses.get(a));
      }
      clients.add(vertx.createWebSocketClient(options));
    }
    WebSocketClient speakerClient =
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setMaxConnections(Integer.MAX_VALUE));
    List<FanoutLoop> loops = new ArrayList<>();
    for (int d = 0; d < k; d++) {
      loops.add(
          new FanoutLoop(
              vertx,
              listenerTargets,
              clients,
              o.sessions,
              o.frameBytes,
              o.connectTimeout.toMillis()));
    }
    for (int i = 0; i < listeners; i++) {
      int s = i / o.listenersPerSession;
      String lang = o.languages.get((i % o.listenersPerSession) % o.languages.size());
      loops
          .get(i % k)
          .addListener(
              i,
              s,
              FanoutOptions.targetOf(i, listenerTargets.size(), k),
              listenerUri(ids.get(s), lang));
    }
    List<Future<String>> deployed = new ArrayList<>();
    loops.forEach(l -> deployed.add(vertx.deployVerticle(l)));
    Waits.await(Future.all(deployed), Waits.remainingMillis(deadline));

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
    List<Future<Void>> ramp = new ArrayList<>();
    loops.forEach(l -> ramp.add(l.connectListeners((o.concurrency + k - 1) / k)));
    FanoutProgress progress = new FanoutProgress(loops, probe, listeners, quiet, err);
    progress.start();
    try {
      if (!Waits.awaitUntil(Future.all(ramp), deadline)) {
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
      List<Future<Void>> shut = new ArrayList<>();
      clients.forEach(c -> shut.add(c.close()));
      shut.add(speakerClient.close());
      Waits.await(Future.join(shut), 5_000);

      List<String> args = Redact.args(spec.commandLine().getParseResult().originalArgs());
      FanoutReport.build(o, args, r, v, listenerTargets, probe, progress.cpu(), a, b, rss)
          .print(out);
      return r.clean(listeners) ? 0 : 1;
    } finally {
      progress.stop();
    }
  }

  private String listenerUri(String sessionId, String language) {
    String uri =
        Messages.PATH
            + "?"
            + Messages.Q_SESSION_ID
            + "="
            + URLEncoder.encode(sessionId, StandardCharsets.UTF_8)
            + "&"
            + Messages.Q_TARGET_LANGUAGE
            + "="
            + URLEncoder.encode(language, StandardCharsets.UTF_8);
    // Nobody translates in this bench: other languages hear the source meanwhile.
    return language.equals(o.sourceLanguage) ? uri : uri + "&fallback=source";
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
