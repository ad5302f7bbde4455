package org.pentecost.bench;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backend}: the backend integration under load. Three scenarios, one per run: {@code route}
 * (clients send a custom action that the server routes to a backend this command runs, and get the
 * backend's reply back), {@code post} ({@code POST /@connections/{id}} as fast as the server takes
 * it) and {@code broadcast} ({@code POST /sessions/{id}/broadcast} to every listener of a session).
 */
@Command(
    name = "backend",
    mixinStandardHelpOptions = true,
    description = {
      "route: L listeners send {\"action\":\"progress\"} at R messages/s in all; the server must"
          + " route 'progress' to http://127.0.0.1:<backend-port>/progress (this command answers"
          + " there). Reports the round trip and Pentecost's share of it (round trip minus the"
          + " backend's own time).",
      "post: L listeners; POST /@connections/{id} with a backend key, C requests in flight, for"
          + " the duration. Reports requests/s, latency, and messages the listeners received.",
      "broadcast: L listeners of one session; a broadcast every interval. Reports the latency"
          + " from the POST to each listener's message.",
      "Output: one JSON line on stdout, then a table."
    })
final class BackendCommand implements Callable<Integer> {
  enum Scenario {
    route,
    post,
    broadcast
  }

  @Option(names = "--scenario", required = true, description = "route, post or broadcast.")
  Scenario scenario;

  @Option(names = "--url", required = true, description = "Server base URL (127.0.0.0/8 only).")
  String url;

  @Option(
      names = "--token",
      defaultValue = "${env:PENTECOST_BENCH_TOKEN}",
      description = "Speaker token used to create the session.")
  String token;

  @Option(
      names = "--key",
      defaultValue = "${env:PENTECOST_BENCH_BACKEND_KEY}",
      description = "Backend key for the management API (post, broadcast).")
  String key;

  @Option(names = "--listeners", defaultValue = "500", description = "Listeners (500).")
  int listeners;

  @Option(
      names = "--rate",
      defaultValue = "5000",
      description = "route: messages per second over all listeners (5000).")
  int rate;

  @Option(
      names = "--in-flight",
      defaultValue = "128",
      description = "post: requests in flight (128).")
  int inFlight;

  @Option(
      names = "--interval",
      defaultValue = "50ms",
      converter = CommonOptions.DurationConverter.class,
      description = "broadcast: time between broadcasts (50ms).")
  Duration interval;

  @Option(
      names = "--duration",
      defaultValue = "15s",
      converter = CommonOptions.DurationConverter.class,
      description = "Measured time, after a warm-up of a third of it (15s).")
  Duration duration;

  @Option(
      names = "--backend-port",
      defaultValue = "18199",
      description = "route: the port this command's backend listens on (18199).")
  int backendPort;

  @Override
  public Integer call() throws Exception {
    Target target = Target.parse(url);
    long haltAt = System.nanoTime() + duration.toNanos() * 2 + TimeUnit.MINUTES.toNanos(3);
    return BenchVertx.run(
        2,
        haltAt,
        "backend: the run took too long; stopping",
        (vertx, out, err) -> run(vertx, target, out, err));
  }

  private int run(Vertx vertx, Target target, PrintStream out, PrintStream err) throws Exception {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("--token (or PENTECOST_BENCH_TOKEN) is required");
    }
    if (scenario != Scenario.route && (key == null || key.isBlank())) {
      throw new IllegalArgumentException("--key (or PENTECOST_BENCH_BACKEND_KEY) is required");
    }
    List<String> sessions =
        Waits.await(new SessionCreator(vertx, target, token).create(1, "en", 30_000), 30_000);
    String session = sessions.get(0);
    BackendLoad load = new BackendLoad(vertx, target, key, session, err);
    Report report =
        switch (scenario) {
          case route -> load.route(listeners, rate, backendPort, duration);
          case post -> load.post(listeners, inFlight, duration);
          case broadcast -> load.broadcast(listeners, interval, duration);
        };
    report.json().put("scenario", scenario.name()).put("listeners", listeners);
    report.print(out);
    return 0;
  }
}
