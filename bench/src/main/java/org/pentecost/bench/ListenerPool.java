package org.pentecost.bench;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.pentecost.protocol.Messages;

/**
 * Opens, holds and closes listener WebSockets. The connections are split over one {@link Driver}
 * per event loop; a driver owns its connections, counters and histogram on its own event-loop
 * thread, so nothing on the connection path is shared or locked. A connection counts as joined when
 * the server's {@code sessionJoined} arrives; only that first message is parsed, later ones are
 * counted and dropped.
 *
 * <p>Use from one thread: {@link #deploy}, {@link #start}, then optionally {@link #stopLaunching},
 * then {@link #closeAll} and {@link #result}.
 */
final class ListenerPool {

  /** Which session and language the i-th listener uses. */
  record Plan(
      List<String> sessionIds,
      int listenersPerSession,
      List<String> languages,
      boolean interleaved) {
    Plan {
      sessionIds = List.copyOf(sessionIds);
      languages = List.copyOf(languages);
    }

    int total() {
      return sessionIds.size() * listenersPerSession;
    }

    /** Sequential: session 0 fills first, then session 1; interleaved: round-robin. */
    int sessionIndex(int i) {
      return interleaved ? i % sessionIds.size() : i / listenersPerSession;
    }

    /** Position of listener i inside its session. */
    int slot(int i) {
      return interleaved ? i / sessionIds.size() : i % listenersPerSession;
    }

    int languageIndex(int i) {
      return slot(i) % languages.size();
    }
  }

  /** How fast and from where. */
  record Settings(
      double ratePerSecond,
      int concurrency,
      int eventLoops,
      long connectTimeoutMillis,
      List<String> sourceAddresses) {
    Settings {
      sourceAddresses = List.copyOf(sourceAddresses);
    }
  }

  /** Everything measured, merged over the drivers. Times are nanoseconds since the ramp start. */
  record Result(
      long[] startNanos,
      long[] joinNanos,
      Histogram joinLatencyMicros,
      int attempted,
      int joined,
      int failed,
      int stillConnecting,
      int droppedWhileHeld,
      int closedCleanly,
      long messagesAfterJoin,
      long exceptions,
      Map<String, Long> failures,
      Map<String, String> failureSamples,
      Map<String, Long> rejectionCloseCodes,
      Map<String, Long> dropCloseCodes) {}

  /** How the server's compact JSON for sessionJoined begins. */
  static final String JOINED_PREFIX = "{\"type\":\"" + Messages.SESSION_JOINED + "\"";

  static final int CONNECTING = 0;
  static final int JOINED = 1;
  static final int REJECTED = 2;
  static final int CLOSING = 3;
  static final int CLOSED = 4;

  private final Vertx vertx;
  private final Plan plan;
  private final Settings settings;
  private final Target target;
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final String[][] uris;
  private final long[] startNanos;
  private final long[] joinNanos;
  private final Driver[] drivers;
  private volatile long t0;

  ListenerPool(Vertx vertx, Target target, Plan plan, Settings settings) {
    this.vertx = vertx;
    this.target = target;
    this.plan = plan;
    this.settings = settings;
    int total = plan.total();
    this.startNanos = new long[total];
    this.joinNanos = new long[total];
    Arrays.fill(startNanos, -1);
    Arrays.fill(joinNanos, -1);
    this.uris = new String[plan.sessionIds().size()][plan.languages().size()];
    for (int s = 0; s < uris.length; s++) {
      for (int l = 0; l < uris[s].length; l++) {
        uris[s][l] =
            Messages.PATH
                + "?"
                + Messages.Q_SESSION_ID
                + "="
                + enc(plan.sessionIds().get(s))
                + "&"
                + Messages.Q_ROLE
                + "="
                + Messages.ROLE_LISTENER
                + "&"
                + Messages.Q_TARGET_LANGUAGE
                + "="
                + enc(plan.languages().get(l));
      }
    }
    List<String> addresses =
        settings.sourceAddresses().isEmpty()
            ? java.util.Collections.singletonList(null)
            : settings.sourceAddresses();
    for (String address : addresses) {
      WebSocketClientOptions options =
          new WebSocketClientOptions()
              .setDefaultHost(target.host())
              .setDefaultPort(target.port())
              .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeoutMillis()))
              // The pool's own limit counts open connections, not handshakes: lift it; the
              // drivers bound the handshakes in flight themselves.
              .setMaxConnections(Integer.MAX_VALUE);
      if (address != null) {
        options.setLocalAddress(address);
      }
      clients.add(vertx.createWebSocketClient(options));
    }
    int k = settings.eventLoops();
    this.drivers = new Driver[k];
    double ratePerDriver = settings.ratePerSecond() / k;
    int concurrencyPerDriver = Math.max(1, (settings.concurrency() + k - 1) / k);
    for (int d = 0; d < k; d++) {
      int count = total / k + (d < total % k ? 1 : 0);
      drivers[d] = new Driver(d, k, count, ratePerDriver, concurrencyPerDriver);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Deploys one driver per event loop (each deployment gets its own event-loop context). */
  Future<Void> deploy() {
    List<Future<String>> all = new ArrayList<>();
    for (Driver d : drivers) {
      all.add(vertx.deployVerticle(d));
    }
    return Future.all(all).mapEmpty();
  }

  /** Starts the ramp; completes when every listener has joined or failed (or after a stop). */
  Future<Void> start() {
    t0 = System.nanoTime();
    List<Future<Void>> all = new ArrayList<>();
    for (Driver d : drivers) {
      all.add(d.start(t0));
    }
    return Future.all(all).mapEmpty();
  }

  long startNanoTime() {
    return t0;
  }

  /** Stops opening new connections (the deadline passed); the ramp future completes. */
  Future<Void> stopLaunching() {
    List<Future<Void>> all = new ArrayList<>();
    for (Driver d : drivers) {
      all.add(d.stop());
    }
    return Future.all(all).mapEmpty();
  }

  /** Joined so far (read from any thread, for progress lines). */
  int joinedCount() {
    int n = 0;
    for (Driver d : drivers) {
      n += d.joinedCount;
    }
    return n;
  }

  int failedCount() {
    int n = 0;
    for (Driver d : drivers) {
      n += d.failedCount;
    }
    return n;
  }

  int inFlightCount() {
    int n = 0;
    for (Driver d : drivers) {
      n += d.inFlightCount;
    }
    return n;
  }

  /** Joined and still open. */
  int openCount() {
    int n = 0;
    for (Driver d : drivers) {
      n += d.openCount;
    }
    return n;
  }

  /**
   * Closes every connection with 1000 and waits for the server's close, at most {@code
   * timeoutMillis}; connections still in their handshake are abandoned.
   */
  Future<Void> closeAll(long timeoutMillis) {
    List<Future<Void>> all = new ArrayList<>();
    for (Driver d : drivers) {
      all.add(d.closeAll(timeoutMillis));
    }
    return Future.all(all).mapEmpty();
  }

  /** Merges the drivers' numbers (each read on its own event loop). */
  Future<Result> result() {
    List<Future<Driver.Stats>> all = new ArrayList<>();
    for (Driver d : drivers) {
      all.add(d.stats());
    }
    return Future.all(all)
        .map(
            cf -> {
              Histogram h = new Histogram(3);
              int attempted = 0;
              int joined = 0;
              int failed = 0;
              int connecting = 0;
              int dropped = 0;
              int closed = 0;
              long after = 0;
              long exceptions = 0;
              Map<String, Long> failures = new TreeMap<>();
              Map<String, String> samples = new TreeMap<>();
              Map<String, Long> rejections = new TreeMap<>();
              Map<String, Long> drops = new TreeMap<>();
              for (int i = 0; i < all.size(); i++) {
                Driver.Stats s = cf.resultAt(i);
                h.add(s.latency);
                attempted += s.attempted;
                joined += s.joined;
                failed += s.failed;
                connecting += s.connecting;
                dropped += s.dropped;
                closed += s.closedCleanly;
                after += s.messagesAfterJoin;
                exceptions += s.exceptions;
                s.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
                s.samples.forEach(samples::putIfAbsent);
                s.rejections.forEach((k, v) -> rejections.merge(k, v, Long::sum));
                s.drops.forEach((k, v) -> drops.merge(k, v, Long::sum));
              }
              return new Result(
                  startNanos,
                  joinNanos,
                  h,
                  attempted,
                  joined,
                  failed,
                  connecting,
                  dropped,
                  closed,
                  after,
                  exceptions,
                  failures,
                  samples,
                  rejections,
                  drops);
            });
  }

  /** Closes the clients. */
  Future<Void> shutdown() {
    List<Future<Void>> all = new ArrayList<>();
    for (WebSocketClient c : clients) {
      all.add(c.close());
    }
    return Future.join(all).mapEmpty();
  }

  /** Failure key for an exception raised while connecting. */
  static String failureKey(Throwable cause) {
    if (cause instanceof UpgradeRejectedException rejected) {
      return "http:" + rejected.getStatus();
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return "connect:" + root.getClass().getSimpleName();
  }

  /** One listener WebSocket. Touched only on its driver's event loop. */
  private static final class Conn implements Handler<String> {
    final Driver driver;
    final int index;
    ClientWebSocket ws;
    int state = CONNECTING;

    Conn(Driver driver, int index) {
      this.driver = driver;
      this.index = index;
    }

    @Override
    public void handle(String text) {
      driver.onText(this, text);
    }
  }

  /** Opens the connections i = id, id + stride, ... on one event loop. */
  private final class Driver implements Deployable {
    final int id;
    final int stride;
    final int count;
    final double rate;
    final int concurrency;
    final Conn[] conns;
    final Histogram latency = new Histogram(3);
    final Map<String, Long> failures = new TreeMap<>();
    final Map<String, String> samples = new TreeMap<>();
    final Map<String, Long> rejections = new TreeMap<>();
    final Map<String, Long> drops = new TreeMap<>();
    final Promise<Void> rampDone = Promise.promise();
    Context context;
    long start;
    long timer = -1;
    boolean stopped;
    int launched;
    int dropped;
    int closedCleanly;
    long messagesAfterJoin;
    long exceptions;
    int closing;
    int abandoned;
    Promise<Void> closeDone;
    // Single writer (this driver's thread), read by the progress printer.
    volatile int joinedCount;
    volatile int failedCount;
    volatile int inFlightCount;
    volatile int openCount;

    Driver(int id, int stride, int count, double rate, int concurrency) {
      this.id = id;
      this.stride = stride;
      this.count = count;
      this.rate = rate;
      this.concurrency = concurrency;
      this.conns = new Conn[count];
    }

    @Override
    public Future<?> deploy(Context context) {
      this.context = context;
      return Future.succeededFuture();
    }

    Future<Void> start(long t0) {
      context.runOnContext(
          v -> {
            start = t0;
            if (rate > 0) {
              long period = Math.max(1, Math.min(50, (long) (1000 / rate)));
              timer = vertx.setPeriodic(period, t -> pump());
            }
            pump();
          });
      return rampDone.future();
    }

    Future<Void> stop() {
      Promise<Void> p = Promise.promise();
      context.runOnContext(
          v -> {
            stopped = true;
            cancelTimer();
            rampDone.tryComplete();
            p.complete();
          });
      return p.future();
    }

    private void cancelTimer() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }

    private void pump() {
      if (stopped) {
        return;
      }
      long allowed = Long.MAX_VALUE;
      if (rate > 0) {
        allowed = (long) ((System.nanoTime() - start) / 1e9 * rate) + 1;
      }
      while (launched < count && inFlightCount < concurrency && launched < allowed) {
        launch(launched++);
      }
      if (launched == count) {
        cancelTimer();
        if (inFlightCount == 0) {
          rampDone.tryComplete();
        }
      }
    }

    private void launch(int local) {
      int i = id + local * stride;
      Conn c = new Conn(this, i);
      conns[local] = c;
      ClientWebSocket ws = clients.get(local % clients.size()).webSocket();
      c.ws = ws;
      ws.textMessageHandler(c);
      ws.closeHandler(v -> onClose(c));
      ws.exceptionHandler(e -> exceptions++);
      WebSocketConnectOptions options =
          new WebSocketConnectOptions()
              .setHost(target.host())
              .setPort(target.port())
              .setURI(uris[plan.sessionIndex(i)][plan.languageIndex(i)])
              .setConnectTimeout(settings.connectTimeoutMillis())
              .setTimeout(settings.connectTimeoutMillis());
      inFlightCount++;
      startNanos[i] = System.nanoTime() - start;
      ws.connect(options)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  onConnectFailed(c, ar.cause());
                }
              });
    }

    void onText(Conn c, String text) {
      if (c.state != CONNECTING) {
        messagesAfterJoin++;
        return;
      }
      String type;
      JsonObject msg = null;
      if (text.startsWith(JOINED_PREFIX)) {
        // The server's compact encoding: no need to parse the whole message.
        type = Messages.SESSION_JOINED;
      } else {
        try {
          msg = new JsonObject(text);
          type = msg.getString("type");
        } catch (RuntimeException e) {
          type = "unparseable";
        }
      }
      if (Messages.SESSION_JOINED.equals(type)) {
        long now = System.nanoTime() - start;
        joinNanos[c.index] = now;
        latency.recordValue(Math.max(0, (now - startNanos[c.index]) / 1_000));
        c.state = JOINED;
        joinedCount++;
        openCount++;
        inFlightCount--;
        pump();
      } else if (Messages.ERROR.equals(type)) {
        String code = msg.getString("code", "?");
        c.state = REJECTED;
        fail("error:" + code, msg.getString("message"));
      } else {
        // Something before sessionJoined: note it, keep waiting.
        samples.putIfAbsent("unexpected-first:" + type, text);
      }
    }

    private void onConnectFailed(Conn c, Throwable cause) {
      if (c.state != CONNECTING) {
        return;
      }
      c.state = CLOSED;
      c.ws = null;
      fail(failureKey(cause), String.valueOf(cause.getMessage()));
    }

    private void onClose(Conn c) {
      ClientWebSocket ws = c.ws;
      Short status = ws == null ? null : ws.closeStatusCode();
      String code = status == null ? "none" : status.toString();
      switch (c.state) {
        case CONNECTING -> {
          c.state = CLOSED;
          fail("close:" + code, ws == null ? null : ws.closeReason());
        }
        case REJECTED -> {
          c.state = CLOSED;
          rejections.merge(code, 1L, Long::sum);
        }
        case JOINED -> {
          c.state = CLOSED;
          dropped++;
          openCount--;
          drops.merge(code, 1L, Long::sum);
        }
        case CLOSING -> {
          c.state = CLOSED;
          closedCleanly++;
          openCount--;
          closed();
        }
        default -> {
          // already closed
        }
      }
      c.ws = null;
    }

    private void fail(String key, String message) {
      failures.merge(key, 1L, Long::sum);
      if (message != null) {
        samples.putIfAbsent(key, message);
      }
      failedCount++;
      inFlightCount--;
      pump();
    }

    Future<Void> closeAll(long timeoutMillis) {
      Promise<Void> done = Promise.promise();
      context.runOnContext(
          v -> {
            stopped = true;
            cancelTimer();
            rampDone.tryComplete();
            closeDone = done;
            for (int local = 0; local < launched; local++) {
              Conn c = conns[local];
              if (c == null || c.ws == null) {
                continue;
              }
              if (c.state == JOINED) {
                c.state = CLOSING;
                closing++;
                c.ws
                    .close((short) 1000, "bench done")
                    .onFailure(
                        e -> {
                          // Already gone: count it as closed.
                          if (c.state == CLOSING) {
                            c.state = CLOSED;
                            openCount--;
                            closed();
                          }
                        });
              } else if (c.state == CONNECTING || c.state == REJECTED) {
                if (c.state == CONNECTING) {
                  abandoned++;
                  inFlightCount--;
                }
                c.state = CLOSED;
                ClientWebSocket ws = c.ws;
                c.ws = null;
                try {
                  ws.close().onFailure(e -> exceptions++);
                } catch (RuntimeException e) {
                  exceptions++;
                }
              }
            }
            if (closing == 0) {
              done.tryComplete();
            } else {
              vertx.setTimer(timeoutMillis, t -> done.tryComplete());
            }
          });
      return done.future();
    }

    private void closed() {
      closing--;
      if (closing == 0 && closeDone != null) {
        closeDone.tryComplete();
      }
    }

    /** This driver's numbers, read on its own thread. */
    Future<Stats> stats() {
      Promise<Stats> p = Promise.promise();
      context.runOnContext(
          v -> {
            int connecting = abandoned;
            for (int local = 0; local < launched; local++) {
              Conn c = conns[local];
              if (c != null && c.state == CONNECTING) {
                connecting++;
              }
            }
            p.complete(
                new Stats(
                    latency.copy(),
                    launched,
                    joinedCount,
                    failedCount,
                    connecting,
                    dropped,
                    closedCleanly,
                    messagesAfterJoin,
                    exceptions,
                    new TreeMap<>(failures),
                    new TreeMap<>(samples),
                    new TreeMap<>(rejections),
                    new TreeMap<>(drops)));
          });
      return p.future();
    }

    record Stats(
        Histogram latency,
        int attempted,
        int joined,
        int failed,
        int connecting,
        int dropped,
        int closedCleanly,
        long messagesAfterJoin,
        long exceptions,
        Map<String, Long> failures,
        Map<String, String> samples,
        Map<String, Long> rejections,
        Map<String, Long> drops) {}
  }
}
