package org.pentecost.bench;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.pentecost.protocol.Messages;

/**
 * One event loop of {@code fanout}: its share of the listeners (every {@code loops}-th) and of the
 * speakers, their counters, and two timers: the speakers' pacing and a once-a-second housekeeping
 * (heartbeats for a thirtieth of the listeners, progress numbers for the main thread). Nothing here
 * is shared between loops or locked. The listeners' frames are counted per listener target ({@code
 * --listener-url}), so that listeners on different nodes can be compared; {@link #result()} merges
 * them.
 */
final class FanoutLoop implements Deployable {
  private static final String HEARTBEAT = "{\"action\":\"" + Messages.HEARTBEAT + "\"}";
  private static final int HEARTBEAT_SLOTS = 30;

  /** The window, and the text messages; the frames are in {@link #byTarget}. */
  final FanoutCounters counters = new FanoutCounters();

  final FanoutSpeakers speakers;
  private final Vertx vertx;
  private final List<Target> targets;
  private final FanoutCounters[] byTarget;
  private final int[][] joinedByTarget;
  private final List<WebSocketClient> clients;
  private final long connectTimeoutMillis;
  private final List<FanoutListener> listeners = new ArrayList<>();
  private final Map<String, Long> failures = new TreeMap<>();
  private final Map<String, String> samples = new TreeMap<>();
  private final Map<String, Long> drops = new TreeMap<>();
  private final Promise<Void> rampDone = Promise.promise();
  private Context context;
  private int concurrency;
  private int launched;
  private int inFlight;
  private int closing;
  private Promise<Void> closed;
  private long housekeeping = -1;
  private long ticks;

  // Single writer (this loop), read by the progress printer.
  volatile int joinedCount;
  volatile int failedCount;
  volatile int droppedCount;
  volatile long deliveredSeen;
  volatile long lostSeen;
  volatile long sentSeen;

  FanoutLoop(
      Vertx vertx,
      List<Target> targets,
      List<WebSocketClient> clients,
      int sessions,
      int frameBytes,
      long connectTimeoutMillis) {
    this.vertx = vertx;
    this.targets = List.copyOf(targets);
    this.clients = clients;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.byTarget = new FanoutCounters[targets.size()];
    for (int t = 0; t < byTarget.length; t++) {
      byTarget[t] = new FanoutCounters();
    }
    this.joinedByTarget = new int[targets.size()][sessions];
    this.speakers = new FanoutSpeakers(vertx, frameBytes);
  }

  void addListener(int index, int session, int target, String uri) {
    listeners.add(new FanoutListener(byTarget[target], index, session, target, uri));
  }

  /** Measured deliveries so far, over every target (on this loop's thread). */
  long delivered() {
    long n = 0;
    for (FanoutCounters c : byTarget) {
      n += c.delivered;
    }
    return n;
  }

  private long lost() {
    long n = 0;
    for (FanoutCounters c : byTarget) {
      n += c.lost;
    }
    return n;
  }

  @Override
  public Future<?> deploy(Context context) {
    this.context = context;
    housekeeping = vertx.setPeriodic(1_000, t -> housekeeping());
    return Future.succeededFuture();
  }

  /** Runs {@code task} on this loop. */
  <T> Future<T> on(Supplier<Future<T>> task) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> task.get().onComplete(p));
    return p.future();
  }

  /** Opens the listeners, at most {@code concurrency} handshakes at a time. */
  Future<Void> connectListeners(int concurrency) {
    context.runOnContext(
        v -> {
          this.concurrency = Math.max(1, concurrency);
          pump();
        });
    return rampDone.future();
  }

  private void pump() {
    while (launched < listeners.size() && inFlight < concurrency) {
      launch(listeners.get(launched++));
    }
    if (launched == listeners.size() && inFlight == 0) {
      rampDone.tryComplete();
    }
  }

  private void launch(FanoutListener l) {
    ClientWebSocket ws = clients.get(l.index % clients.size()).webSocket();
    Target target = targets.get(l.target);
    l.ws = ws;
    ws.binaryMessageHandler(l);
    ws.textMessageHandler(text -> onText(l, text));
    ws.closeHandler(v -> onClose(l));
    ws.exceptionHandler(e -> {});
    inFlight++;
    ws.connect(
            new WebSocketConnectOptions()
                .setHost(target.host())
                .setPort(target.port())
                .setURI(l.uri)
                .setConnectTimeout(connectTimeoutMillis)
                .setTimeout(connectTimeoutMillis))
        .onFailure(
            e -> {
              if (l.state == FanoutListener.CONNECTING) {
                l.state = FanoutListener.CLOSED;
                fail(ListenerConnection.failureKey(e), String.valueOf(e.getMessage()));
              }
            });
  }

  private void onText(FanoutListener l, String text) {
    if (l.state != FanoutListener.CONNECTING) {
      counters.textMessages++;
      return;
    }
    JsonObject msg;
    try {
      msg = new JsonObject(text);
    } catch (RuntimeException e) {
      samples.putIfAbsent("unparseable-first", text);
      return;
    }
    String type = String.valueOf(msg.getValue("type"));
    if (Messages.SESSION_JOINED.equals(type)) {
      l.state = FanoutListener.JOINED;
      joinedByTarget[l.target][l.session]++;
      joinedCount++;
      inFlight--;
      pump();
    } else if (Messages.ERROR.equals(type)) {
      l.state = FanoutListener.REJECTED;
      fail("error:" + msg.getValue("code"), String.valueOf(msg.getValue("message")));
    }
  }

  private void onClose(FanoutListener l) {
    Short status = l.ws.closeStatusCode();
    String code = status == null ? "none" : status.toString();
    switch (l.state) {
      case FanoutListener.CONNECTING -> {
        l.state = FanoutListener.CLOSED;
        fail("close:" + code, l.ws.closeReason());
      }
      case FanoutListener.JOINED -> {
        l.state = FanoutListener.CLOSED;
        droppedCount++;
        drops.merge(code, 1L, Long::sum);
      }
      case FanoutListener.CLOSING -> {
        l.state = FanoutListener.CLOSED;
        if (--closing == 0 && closed != null) {
          closed.tryComplete();
        }
      }
      default -> l.state = FanoutListener.CLOSED;
    }
  }

  private void fail(String key, String message) {
    failures.merge(key, 1L, Long::sum);
    if (message != null) {
      samples.putIfAbsent(key, message);
    }
    failedCount++;
    inFlight--;
    pump();
  }

  /** Sets the measured window, then starts the speakers' timer. */
  Future<Void> startSending(Pacer pacer, int sessionCount, long windowStart, long windowEnd) {
    return on(
        () -> {
          counters.windowStart = windowStart;
          counters.windowEnd = windowEnd;
          for (FanoutCounters c : byTarget) {
            c.windowStart = windowStart;
            c.windowEnd = windowEnd;
          }
          speakers.start(pacer, sessionCount, windowStart, windowEnd);
          return Future.succeededFuture();
        });
  }

  private void housekeeping() {
    long slot = ticks++ % HEARTBEAT_SLOTS;
    for (int i = (int) slot; i < listeners.size(); i += HEARTBEAT_SLOTS) {
      FanoutListener l = listeners.get(i);
      if (l.state == FanoutListener.JOINED) {
        l.ws.writeTextMessage(HEARTBEAT).onFailure(e -> {});
      }
    }
    deliveredSeen = delivered();
    lostSeen = lost();
    sentSeen = speakers.totalSent();
  }

  /** Closes the listeners with 1000 and the speakers; waits at most {@code timeoutMillis}. */
  Future<Void> closeAll(long timeoutMillis) {
    return on(
        () -> {
          vertx.cancelTimer(housekeeping);
          speakers.stop();
          closed = Promise.promise();
          for (FanoutListener l : listeners) {
            if (l.state == FanoutListener.JOINED) {
              l.state = FanoutListener.CLOSING;
              closing++;
              l.ws.close((short) 1000, "bench done").onFailure(e -> {});
            } else if (l.state == FanoutListener.CONNECTING && l.ws != null) {
              l.state = FanoutListener.CLOSED;
              l.ws.close().onFailure(e -> {});
            }
          }
          if (closing == 0) {
            closed.tryComplete();
          }
          vertx.setTimer(timeoutMillis, t -> closed.tryComplete());
          return Future.join(closed.future(), speakers.close()).mapEmpty();
        });
  }

  /** This loop's numbers, taken on its thread. */
  Future<Result> result() {
    return on(
        () -> {
          int sessions = joinedByTarget[0].length;
          long[] sent = new long[sessions];
          long[] sentInWindow = new long[sessions];
          speakers.addTo(sent, sentInWindow);
          FanoutCounters all = counters.copy();
          FanoutCounters[] perTarget = new FanoutCounters[byTarget.length];
          int[][] joined = new int[byTarget.length][];
          int[] joinedPerSession = new int[sessions];
          for (int t = 0; t < byTarget.length; t++) {
            perTarget[t] = byTarget[t].copy();
            all.add(perTarget[t]);
            joined[t] = joinedByTarget[t].clone();
            for (int s = 0; s < sessions; s++) {
              joinedPerSession[s] += joined[t][s];
            }
          }
          return Future.succeededFuture(
              new Result(
                  all,
                  joinedPerSession,
                  sent,
                  sentInWindow,
                  launched,
                  failedCount,
                  droppedCount,
                  new TreeMap<>(failures),
                  new TreeMap<>(samples),
                  new TreeMap<>(drops),
                  speakers.stats(),
                  speakers.sendLagMicros(),
                  perTarget,
                  joined));
        });
  }

  /** What one loop measured. */
  record Result(
      FanoutCounters counters,
      int[] joinedPerSession,
      long[] sent,
      long[] sentInWindow,
      int attempted,
      int failed,
      int dropped,
      Map<String, Long> failures,
      Map<String, String> samples,
      Map<String, Long> drops,
      JsonObject speakers,
      Histogram sendLagMicros,
      FanoutCounters[] byTarget,
      int[][] joinedByTarget) {

    /** One listener target: everything counted under it. */
    Result(
        FanoutCounters counters,
        int[] joinedPerSession,
        long[] sent,
        long[] sentInWindow,
        int attempted,
        int failed,
        int dropped,
        Map<String, Long> failures,
        Map<String, String> samples,
        Map<String, Long> drops,
        JsonObject speakers,
        Histogram sendLagMicros) {
      this(
          counters,
          joinedPerSession,
          sent,
          sentInWindow,
          attempted,
          failed,
          dropped,
          failures,
          samples,
          drops,
          speakers,
          sendLagMicros,
          new FanoutCounters[] {counters},
          new int[][] {joinedPerSession});
    }
  }
}
