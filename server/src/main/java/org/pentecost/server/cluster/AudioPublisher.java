package org.pentecost.server.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import java.util.concurrent.TimeUnit;
import org.pentecost.server.cluster.Broker.Frame;
import org.pentecost.server.redis.LuaScript;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's audio connection to Redis, a connection of its own and never a pool, so that the
 * frames of a stream reach Redis in the order they were numbered. Each frame is one script ({@code
 * audio_publish.lua}): RPUSH to the stream's window list, LTRIM to the window, PEXPIRE, PUBLISH on
 * the channel of the same name. The node's events go on the same connection, so that a stream's
 * start reaches other nodes before its first frame.
 *
 * <p>While the connection is down a frame is dropped (counted, {@code
 * pentecost_broker_frames_dropped_total}), never kept to be sent out of order, and an event goes
 * through the shared pool. The connection opens again on the next frame or event once the broker's
 * {@link Backoff} allows.
 */
final class AudioPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(AudioPublisher.class);
  private static final LuaScript PUBLISH = LuaScript.load("audio_publish");

  private final Context context;
  private final RedisCommands commands;
  private final Redis dedicated;
  private final RedisKeys keys;
  private final Backoff backoff;
  private final long windowMicros;
  private final long windowTtlMillis;
  private final Counter dropped;

  // Guarded by this.
  private RedisConnection connection;
  private boolean connecting;
  private long retryAt;
  private boolean closed;

  /**
   * @param windowMicros the replay window: the list keeps as many frames as it takes, plus two
   * @param windowTtlMillis how long the list lives after the stream's last frame
   */
  AudioPublisher(
      Context context,
      RedisCommands commands,
      Redis dedicated,
      RedisKeys keys,
      Backoff backoff,
      long windowMicros,
      long windowTtlMillis,
      MeterRegistry metrics) {
    this.context = context;
    this.commands = commands;
    this.dedicated = dedicated;
    this.keys = keys;
    this.backoff = backoff;
    this.windowMicros = windowMicros;
    this.windowTtlMillis = windowTtlMillis;
    this.dropped =
        Counter.builder("pentecost.broker.frames.dropped")
            .description("Frames not sent to other nodes (Redis unavailable or failing)")
            .register(metrics);
  }

  void start() {
    connect();
  }

  void close() {
    RedisConnection conn;
    synchronized (this) {
      closed = true;
      conn = connection;
      connection = null;
    }
    if (conn != null) {
      conn.close();
    }
  }

  /** Keeps {@code frame} in its stream's window and publishes it; dropped while disconnected. */
  void publish(Frame frame) {
    RedisConnection conn;
    synchronized (this) {
      conn = connection;
      if (conn == null) {
        dropped.increment();
        connect();
        return;
      }
    }
    long keep = Math.max(2, windowMicros / Math.max(1, frame.durationMicros()) + 2);
    Request request =
        Request.cmd(Command.EVALSHA)
            .arg(PUBLISH.sha1())
            .arg(1)
            .arg(keys.audio(frame.sessionId(), frame.language()))
            .arg(FrameCodec.encode(frame))
            .arg(keep)
            .arg(windowTtlMillis);
    conn.send(request)
        .onFailure(
            e -> {
              dropped.increment();
              if (String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                conn.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(PUBLISH.source()));
              } else {
                LOG.debug("publishing a frame failed: {}", e.toString());
              }
            });
  }

  /** Publishes an event's text on the events channel, in order with the frames when connected. */
  void publishEvent(String text) {
    RedisConnection conn;
    synchronized (this) {
      conn = connection;
      if (conn == null) {
        connect();
      }
    }
    Request request = Request.cmd(Command.PUBLISH).arg(keys.events()).arg(text);
    (conn != null ? conn.send(request) : commands.send(request))
        .onFailure(e -> LOG.warn("broker: an event did not reach other nodes: {}", e.toString()));
  }

  private synchronized void connect() {
    long now = System.currentTimeMillis();
    if (closed || connecting || now < retryAt) {
      return;
    }
    connecting = true;
    context.runOnContext(
        v ->
            dedicated
                .connect()
                .timeout(commands.timeoutMillis(), TimeUnit.MILLISECONDS)
                .compose(
                    conn ->
                        conn.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(PUBLISH.source()))
                            .map(r -> conn)
                            .onFailure(e -> conn.close()))
                .onComplete(
                    ar -> {
                      synchronized (this) {
                        connecting = false;
                        if (ar.failed() || closed) {
                          if (ar.succeeded()) {
                            ar.result().close();
                          }
                          retryAt = System.currentTimeMillis() + backoff.failed();
                          if (ar.failed()) {
                            LOG.warn(
                                "broker: cannot open the audio connection to {} ({}); frames"
                                    + " stay on this node until it answers",
                                commands.description(),
                                ar.cause().getMessage());
                          }
                          return;
                        }
                        RedisConnection conn = ar.result();
                        backoff.succeeded();
                        connection = conn;
                        conn.exceptionHandler(e -> lost(conn, e));
                        conn.endHandler(e -> lost(conn, null));
                      }
                    }));
  }

  private synchronized void lost(RedisConnection conn, Throwable e) {
    if (connection == conn) {
      connection = null;
      LOG.warn("broker: the audio connection to Redis was lost ({})", String.valueOf(e));
      conn.close();
    }
  }
}
