package org.pentecost.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.pentecost.protocol.Messages;

/**
 * What {@code fanout} adds to one event loop's {@link ListenerDriver}: the loop's share of the
 * speakers, the frames its listeners receive, counted per listener target ({@code --listener-url})
 * so that listeners on different nodes can be compared, and a once-a-second housekeeping
 * (heartbeats for a thirtieth of the listeners, progress numbers for the main thread). Everything
 * runs on the driver's loop; nothing here is shared between loops or locked. {@link #result()}
 * merges the targets.
 */
final class FanoutLoop {
  private static final String HEARTBEAT = "{\"action\":\"" + Messages.HEARTBEAT + "\"}";
  private static final int HEARTBEAT_SLOTS = 30;

  final FanoutSpeakers speakers;
  private final Vertx vertx;
  private final ListenerDriver driver;
  private final ListenerRoutes routes;
  private final FanoutCounters[] byTarget;
  private final int sessions;
  private long housekeeping = -1;
  private long ticks;

  // Single writer (this loop), read by the progress printer.
  volatile long deliveredSeen;
  volatile long lostSeen;
  volatile long sentSeen;

  /** Listens with {@code driver}; its listeners' frames are counted here. */
  FanoutLoop(
      Vertx vertx,
      ListenerDriver driver,
      ListenerRoutes routes,
      int targets,
      int sessions,
      int frameBytes) {
    this.vertx = vertx;
    this.driver = driver;
    this.routes = routes;
    this.sessions = sessions;
    this.byTarget = new FanoutCounters[targets];
    for (int t = 0; t < byTarget.length; t++) {
      byTarget[t] = new FanoutCounters();
    }
    this.speakers = new FanoutSpeakers(vertx, frameBytes);
    driver.receiveFrames(i -> new FanoutListener(byTarget[routes.targetIndex(i)]));
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

  /** Runs {@code task} on this loop. */
  <T> Future<T> on(Supplier<Future<T>> task) {
    return driver.on(task);
  }

  /** Once the driver is deployed: the housekeeping timer. */
  Future<Void> startHousekeeping() {
    return on(
        () -> {
          housekeeping = vertx.setPeriodic(1_000, t -> housekeeping());
          return Future.succeededFuture();
        });
  }

  /** Sets the measured window, then starts the speakers' timer. */
  Future<Void> startSending(Pacer pacer, int sessionCount, long windowStart, long windowEnd) {
    return on(
        () -> {
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
    driver.writeToJoined((int) slot, HEARTBEAT_SLOTS, HEARTBEAT);
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
          Future<Void> listeners = driver.closeAllOnLoop(timeoutMillis);
          return Future.join(listeners, speakers.close()).mapEmpty();
        });
  }

  /** This loop's numbers, taken on its thread. */
  Future<Result> result() {
    return on(
        () -> {
          ListenerStats listeners = driver.statsOnLoop();
          long[] sent = new long[sessions];
          long[] sentInWindow = new long[sessions];
          speakers.addTo(sent, sentInWindow);
          FanoutCounters all = new FanoutCounters();
          all.textMessages = listeners.messagesAfterJoin();
          FanoutCounters[] perTarget = new FanoutCounters[byTarget.length];
          for (int t = 0; t < byTarget.length; t++) {
            perTarget[t] = byTarget[t].copy();
            all.add(perTarget[t]);
          }
          int[][] joined = new int[byTarget.length][sessions];
          int[] joinedPerSession = new int[sessions];
          long[] joins = listeners.joinNanos();
          for (int local = 0; local < joins.length; local++) {
            if (joins[local] >= 0) {
              int i = driver.index(local);
              int s = routes.plan().sessionIndex(i);
              joined[routes.targetIndex(i)][s]++;
              joinedPerSession[s]++;
            }
          }
          return Future.succeededFuture(
              new Result(
                  all,
                  joinedPerSession,
                  sent,
                  sentInWindow,
                  listeners.attempted(),
                  listeners.failed(),
                  listeners.droppedWhileHeld(),
                  listeners.failures(),
                  listeners.failureSamples(),
                  listeners.dropCloseCodes(),
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
