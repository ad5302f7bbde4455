package org.pentecost.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The three backend scenarios of {@link BackendCommand}. Each opens its listeners, runs a warm-up
 * of a third of the duration, then measures for the duration. Times are taken with {@link
 * System#nanoTime()} in this one process: a message carries the time it left, and its receiver
 * subtracts.
 */
final class BackendLoad {
  private final Vertx vertx;
  private final Target target;
  private final String key;
  private final String session;
  private final PrintStream err;

  BackendLoad(Vertx vertx, Target target, String key, String session, PrintStream err) {
    this.vertx = vertx;
    this.target = target;
    this.key = key;
    this.session = session;
    this.err = err;
  }

  /** Custom route round trips through a backend this process runs. */
  Report route(int count, int rate, int backendPort, Duration duration) throws Exception {
    Vertx backendVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    HttpServer backend =
        Waits.await(
            backendVertx
                .createHttpServer()
                .requestHandler(
                    req ->
                        req.body()
                            .onSuccess(
                                b -> {
                                  long in = System.nanoTime();
                                  long t = field(b.toString(), "t\\\":");
                                  String reply =
                                      "{\"type\":\"progressAck\",\"t\":"
                                          + t
                                          + ",\"backendNs\":"
                                          + (System.nanoTime() - in)
                                          + "}";
                                  req.response()
                                      .putHeader("Content-Type", "application/json")
                                      .end(reply);
                                }))
                .listen(backendPort, "127.0.0.1"),
            10_000);
    Histogram roundTrip = new Histogram(3_600_000_000L, 3);
    Histogram share = new Histogram(3_600_000_000L, 3);
    AtomicLong replies = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    java.util.Map<String, Long> errorCodes = new java.util.concurrent.ConcurrentHashMap<>();
    boolean[] measuring = {false};
    TextListeners listeners = new TextListeners(vertx, target);
    Waits.await(
        listeners.open(
            count,
            session,
            "es",
            (i, text) -> {
              long now = System.nanoTime();
              if (!text.startsWith("{\"type\":\"progressAck\"")) {
                errors.incrementAndGet();
                errorCodes.merge(
                    String.valueOf(new JsonObject(text).getString("code")), 1L, Long::sum);
                return;
              }
              if (!measuring[0]) {
                return;
              }
              long rtt = now - field(text, "\"t\":");
              synchronized (roundTrip) {
                roundTrip.recordValue(Math.max(1, rtt / 1000));
                share.recordValue(Math.max(1, (rtt - field(text, "\"backendNs\":")) / 1000));
              }
              replies.incrementAndGet();
            }),
        120_000);
    err.println("backend: " + count + " listeners joined; sending " + rate + " messages/s");
    long sent =
        pace(
            rate,
            duration,
            measuring,
            i ->
                listeners.send(
                    i % count, "{\"action\":\"progress\",\"t\":" + System.nanoTime() + "}"));
    Thread.sleep(1000);
    Waits.await(listeners.close(), 10_000);
    Waits.await(backend.close(), 10_000);
    Waits.await(backendVertx.close(), 10_000);
    Report r = new Report();
    r.json().put("sent", sent).put("replies", replies.get()).put("errors", errors.get());
    r.json().put("errorCodes", new JsonObject(new java.util.HashMap<>(errorCodes)));
    r.json().put("perSecond", replies.get() / (double) duration.toSeconds());
    r.section("route round trip")
        .row(
            "messages/s answered",
            String.format("%.0f", replies.get() / (double) duration.toSeconds()))
        .row("errors", errors.get() + " " + errorCodes)
        .latencyRow("round trip (ms)", roundTrip)
        .latencyRow("Pentecost's share (ms)", share);
    r.json()
        .put("roundTrip", Report.latencyMillis(roundTrip))
        .put("share", Report.latencyMillis(share));
    return r;
  }

  /** {@code POST /@connections/{id}} as fast as {@code inFlight} requests in flight allow. */
  Report post(int count, int inFlight, Duration duration) throws Exception {
    AtomicLong received = new AtomicLong();
    TextListeners listeners = new TextListeners(vertx, target);
    List<String> ids =
        Waits.await(
            listeners.open(count, session, "es", (i, t) -> received.incrementAndGet()), 120_000);
    HttpClientAgent http =
        vertx.createHttpClient(
            new HttpClientOptions().setDefaultHost(target.host()).setDefaultPort(target.port()),
            new PoolOptions().setHttp1MaxSize(Math.min(inFlight, 64)));
    Histogram latency = new Histogram(3_600_000_000L, 3);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Buffer body = Buffer.buffer("{\"type\":\"notice\",\"text\":\"hello\"}");
    long warmUpEnd = System.nanoTime() + warmUp(duration);
    long end = warmUpEnd + duration.toNanos();
    long[] measuredOk = {0};
    Runnable[] one = new Runnable[1];
    int[] next = {0};
    one[0] =
        () -> {
          long now = System.nanoTime();
          if (now >= end) {
            return;
          }
          String id = ids.get(next[0]++ % ids.size());
          http.request(
                  new RequestOptions()
                      .setMethod(HttpMethod.POST)
                      .setURI("/@connections/" + id)
                      .putHeader("Authorization", "Bearer " + key))
              .compose(req -> req.send(body))
              .compose(resp -> resp.body().map(b -> resp.statusCode()))
              .onComplete(
                  ar -> {
                    long done = System.nanoTime();
                    if (ar.succeeded() && ar.result() == 200) {
                      if (now >= warmUpEnd) {
                        measuredOk[0]++;
                        latency.recordValue(Math.max(1, (done - now) / 1000));
                      }
                      ok.incrementAndGet();
                    } else {
                      failed.incrementAndGet();
                    }
                    one[0].run();
                  });
        };
    vertx.runOnContext(
        v -> {
          for (int i = 0; i < inFlight; i++) {
            one[0].run();
          }
        });
    Thread.sleep((end - System.nanoTime()) / 1_000_000 + 2000);
    long sentOk = ok.get();
    Waits.await(listeners.close(), 10_000);
    Waits.await(http.close(), 10_000);
    Report r = new Report();
    double perSecond = measuredOk[0] / (double) duration.toSeconds();
    r.json().put("perSecond", perSecond).put("ok", sentOk).put("failed", failed.get());
    r.json().put("received", received.get()).put("latency", Report.latencyMillis(latency));
    r.section("POST /@connections/{id}")
        .row("requests/s (200)", String.format("%.0f", perSecond))
        .row("failed", String.valueOf(failed.get()))
        .row("answered 200 / received by listeners", sentOk + " / " + received.get())
        .latencyRow("latency (ms)", latency);
    return r;
  }

  /** A broadcast to every listener of the session every {@code interval}. */
  Report broadcast(int count, Duration interval, Duration duration) throws Exception {
    Histogram latency = new Histogram(3_600_000_000L, 3);
    Histogram reply = new Histogram(3_600_000_000L, 3);
    AtomicLong received = new AtomicLong();
    boolean[] measuring = {false};
    TextListeners listeners = new TextListeners(vertx, target);
    Waits.await(
        listeners.open(
            count,
            session,
            "es",
            (i, text) -> {
              long now = System.nanoTime();
              if (!measuring[0]) {
                return;
              }
              JsonObject m = new JsonObject(text);
              synchronized (latency) {
                latency.recordValue(Math.max(1, (now - m.getLong("t")) / 1000));
              }
              received.incrementAndGet();
            }),
        120_000);
    HttpClientAgent http =
        vertx.createHttpClient(
            new HttpClientOptions().setDefaultHost(target.host()).setDefaultPort(target.port()),
            new PoolOptions().setHttp1MaxSize(4));
    AtomicLong delivered = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    long[] rate = {0};
    long perSecond = Math.max(1, 1000 / Math.max(1, interval.toMillis()));
    pace(
        perSecond,
        duration,
        measuring,
        i -> {
          long t = System.nanoTime();
          String body =
              new JsonObject()
                  .put("message", new JsonObject().put("type", "announcement").put("t", t))
                  .encode();
          boolean counted = measuring[0];
          http.request(
                  new RequestOptions()
                      .setMethod(HttpMethod.POST)
                      .setURI("/sessions/" + session + "/broadcast")
                      .putHeader("Authorization", "Bearer " + key)
                      .putHeader("Content-Type", "application/json"))
              .compose(req -> req.send(body))
              .compose(resp -> resp.body())
              .onSuccess(
                  b -> {
                    if (counted) {
                      synchronized (reply) {
                        reply.recordValue(Math.max(1, (System.nanoTime() - t) / 1000));
                      }
                      sent.incrementAndGet();
                      delivered.addAndGet(new JsonObject(b).getLong("delivered", 0L));
                    }
                  });
        });
    Thread.sleep(1000);
    Waits.await(listeners.close(), 10_000);
    Waits.await(http.close(), 10_000);
    Report r = new Report();
    r.json().put("broadcasts", sent.get()).put("delivered", delivered.get());
    r.json().put("received", received.get());
    r.json()
        .put("latency", Report.latencyMillis(latency))
        .put("reply", Report.latencyMillis(reply));
    r.section("POST /sessions/{id}/broadcast to " + count + " listeners")
        .row("broadcasts", String.valueOf(sent.get()))
        .row("delivered (server) / received (listeners)", delivered.get() + " / " + received.get())
        .latencyRow("POST to listener (ms)", latency)
        .latencyRow("POST to reply (ms)", reply);
    rate[0] = perSecond;
    return r;
  }

  /** The warm-up before measuring: a third of {@code duration}, at least 10 s. */
  private static long warmUp(Duration duration) {
    return Math.max(duration.toNanos() / 3, 10_000_000_000L);
  }

  /**
   * The number after {@code "t":} in {@code text}, or after {@code \"t\":} where the message is a
   * string inside JSON: read without parsing the whole message, which on this core would compete
   * with the server's own work.
   */
  static long field(String text, String name) {
    int at = text.indexOf(name);
    if (at < 0) {
      throw new IllegalArgumentException("no " + name + " in " + text);
    }
    int i = at + name.length();
    while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '-') {
      i++;
    }
    int j = i + 1;
    while (j < text.length() && Character.isDigit(text.charAt(j))) {
      j++;
    }
    return Long.parseLong(text.substring(i, j));
  }

  /**
   * Calls {@code send} {@code perSecond} times a second (in 1 ms ticks) for a warm-up of a third of
   * {@code duration}, then for {@code duration} with {@code measuring} set; returns the sends of
   * the measured part.
   */
  private long pace(
      long perSecond, Duration duration, boolean[] measuring, java.util.function.IntConsumer send)
      throws InterruptedException {
    long start = System.nanoTime();
    long warmUp = warmUp(duration);
    long end = start + warmUp + duration.toNanos();
    long[] done = {0};
    long[] measured = {0};
    long timer =
        vertx.setPeriodic(
            1,
            id -> {
              long now = System.nanoTime();
              if (now >= end) {
                vertx.cancelTimer(id);
                measuring[0] = false;
                return;
              }
              measuring[0] = now - start >= warmUp;
              long due = (now - start) * perSecond / 1_000_000_000L;
              while (done[0] < due) {
                send.accept((int) done[0]++);
                if (measuring[0]) {
                  measured[0]++;
                }
              }
            });
    Thread.sleep((end - start) / 1_000_000 + 200);
    vertx.cancelTimer(timer);
    return measured[0];
  }
}
