package org.pentecost.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.pentecost.client.Connection;
import org.pentecost.client.Listener;
import org.pentecost.client.PentecostClient;

/**
 * The speakers of one event loop, connected with {@link PentecostClient} (which keeps their
 * heartbeats), and the loop's one pacing timer. A frame's payload starts with its send time ({@link
 * System#nanoTime()}, big-endian); the rest is zeros. Touched only on the loop's thread.
 */
final class FanoutSpeakers {
  /** One speaker and what it sent. */
  private static final class Speaker {
    final int session;
    long phase;
    Connection connection;
    long sent;
    long sentInWindow;

    Speaker(int session) {
      this.session = session;
    }
  }

  private final Vertx vertx;
  private final int frameBytes;
  private final List<Speaker> speakers = new ArrayList<>();
  private final Map<String, Long> closes = new TreeMap<>();
  private Pacer pacer;
  private long windowStart;
  private long windowEnd;
  private long timer = -1;
  private long sendFailures;
  private long queueFull;

  /** How late measured frames left against their schedule: timer granularity, or a busy loop. */
  private final Histogram sendLagMicros = new Histogram(3);

  FanoutSpeakers(Vertx vertx, int frameBytes) {
    this.vertx = vertx;
    this.frameBytes = frameBytes;
  }

  /** Connects a speaker for each of {@code sessions} (indexes into {@code sessionIds}). */
  Future<Void> connect(
      URI base,
      String token,
      List<String> sessionIds,
      List<Integer> sessions,
      int frameMs,
      WebSocketClient client,
      Duration connectTimeout) {
    List<Future<Connection>> all = new ArrayList<>();
    for (int s : sessions) {
      Speaker sp = new Speaker(s);
      speakers.add(sp);
      all.add(
          PentecostClient.speaker(vertx, base, sessionIds.get(s), token)
              .param("codec", "opus")
              .param("frameMs", Integer.toString(frameMs))
              .webSocketClient(client)
              .connectTimeout(connectTimeout)
              .listener(
                  new Listener() {
                    @Override
                    public void onClosed(int code, String reason, boolean willReconnect) {
                      closes.merge(code + (willReconnect ? " (reconnecting)" : ""), 1L, Long::sum);
                    }
                  })
              .connect()
              .onSuccess(c -> sp.connection = c));
    }
    return Future.all(all).mapEmpty();
  }

  /** Starts sending; the phases spread the {@code sessionCount} sessions over an interval. */
  void start(Pacer pacer, int sessionCount, long windowStart, long windowEnd) {
    this.pacer = pacer;
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
    for (Speaker sp : speakers) {
      sp.phase = pacer.phase(sp.session, sessionCount);
    }
    timer = vertx.setPeriodic(pacer.tickMillis(), t -> tick());
  }

  private void tick() {
    long now = System.nanoTime();
    for (Speaker sp : speakers) {
      long due = pacer.due(now, sp.phase);
      while (sp.sent < due) {
        sp.sent++;
        send(sp);
      }
    }
    if (now >= pacer.endNanos()) {
      stop();
    }
  }

  private void send(Speaker sp) {
    Connection c = sp.connection;
    if (c == null) {
      sendFailures++;
      return;
    }
    if (c.writeQueueFull()) {
      queueFull++;
    }
    Buffer payload = Buffer.buffer(new byte[frameBytes]);
    long stamp = System.nanoTime();
    payload.setLong(0, stamp);
    if (stamp >= windowStart && stamp < windowEnd) {
      sp.sentInWindow++;
      long due = pacer.startNanos() + sp.phase + (sp.sent - 1) * pacer.intervalNanos();
      sendLagMicros.recordValue(Math.max(0, (stamp - due) / 1_000));
    }
    c.sendAudio(payload).onFailure(e -> sendFailures++);
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  Future<Void> close() {
    stop();
    List<Future<Void>> all = new ArrayList<>();
    for (Speaker sp : speakers) {
      if (sp.connection != null) {
        all.add(sp.connection.close());
      }
    }
    return Future.join(all).mapEmpty();
  }

  /** Frames sent per session, in total and in the window (zeros for other loops' sessions). */
  void addTo(long[] sent, long[] sentInWindow) {
    for (Speaker sp : speakers) {
      sent[sp.session] += sp.sent;
      sentInWindow[sp.session] += sp.sentInWindow;
    }
  }

  long totalSent() {
    long n = 0;
    for (Speaker sp : speakers) {
      n += sp.sent;
    }
    return n;
  }

  JsonObject stats() {
    return new JsonObject()
        .put("sendFailures", sendFailures)
        .put("writeQueueFull", queueFull)
        .put("closes", new JsonObject(new java.util.LinkedHashMap<>(closes)));
  }

  Histogram sendLagMicros() {
    return sendLagMicros.copy();
  }
}
