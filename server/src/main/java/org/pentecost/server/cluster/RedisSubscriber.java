package org.pentecost.server.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's pub/sub connection to Redis, a connection of its own: always subscribed to the
 * events channel, and to the channel of each stream this node holds. Holds are counted per channel
 * (the first subscribes, the last unsubscribes); a subscription completes when Redis confirms it.
 * When the connection is lost it reconnects, after the broker's {@link Backoff}, and subscribes to
 * every held channel again.
 *
 * <p>What arrives goes, as it came, to the two handlers: the text of each event, and the bytes of
 * each frame with its stream. Nothing of a channel arrives after its last hold is released.
 */
final class RedisSubscriber {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSubscriber.class);

  /** Where the bytes of a stream's frame go. */
  interface FrameBytes {
    void received(String sessionId, String language, Buffer bytes);
  }

  private final Vertx vertx;
  private final Context context;
  private final RedisCommands commands;
  private final Redis dedicated;
  private final RedisKeys keys;
  private final Backoff backoff;
  private final Consumer<String> events;
  private final FrameBytes frames;

  // Guarded by this.
  private final Map<String, Channel> channels = new HashMap<>();
  private RedisConnection connection;
  private boolean connecting;
  private boolean closed;

  /** A held channel: its stream (null for events), its holds, who waits for its confirmation. */
  private static final class Channel {
    final String sessionId;
    final String language;
    int holds;
    boolean confirmed;
    final List<Promise<Void>> waiting = new ArrayList<>();

    Channel(String sessionId, String language) {
      this.sessionId = sessionId;
      this.language = language;
    }
  }

  RedisSubscriber(
      Vertx vertx,
      Context context,
      RedisCommands commands,
      Redis dedicated,
      RedisKeys keys,
      Backoff backoff,
      Consumer<String> events,
      FrameBytes frames) {
    this.vertx = vertx;
    this.context = context;
    this.commands = commands;
    this.dedicated = dedicated;
    this.keys = keys;
    this.backoff = backoff;
    this.events = events;
    this.frames = frames;
    Channel eventsChannel = new Channel(null, null);
    eventsChannel.holds = 1;
    channels.put(keys.events(), eventsChannel);
  }

  void start() {
    context.runOnContext(v -> connect());
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

  /** One more hold on the stream's channel; completes once Redis confirms the subscription. */
  Future<Void> subscribe(String sessionId, String language) {
    String name = keys.audio(sessionId, language);
    Promise<Void> promise = Promise.promise();
    RedisConnection conn;
    synchronized (this) {
      Channel ch = channels.computeIfAbsent(name, k -> new Channel(sessionId, language));
      ch.holds++;
      if (ch.confirmed) {
        return Future.succeededFuture();
      }
      ch.waiting.add(promise);
      conn = ch.holds == 1 ? connection : null;
    }
    if (conn != null) {
      conn.send(Request.cmd(Command.SUBSCRIBE).arg(name));
    }
    return promise
        .future()
        .timeout(commands.timeoutMillis(), TimeUnit.MILLISECONDS)
        .recover(
            e ->
                Future.failedFuture(
                    new StoreException(
                        commands.description() + ": subscribing to a stream failed: " + e, e)));
  }

  /** Releases one hold; the last one unsubscribes, and nothing of the stream arrives after it. */
  void unsubscribe(String sessionId, String language) {
    String name = keys.audio(sessionId, language);
    RedisConnection conn;
    List<Promise<Void>> abandoned;
    synchronized (this) {
      Channel ch = channels.get(name);
      if (ch == null || --ch.holds > 0) {
        return;
      }
      channels.remove(name);
      abandoned = ch.waiting;
      conn = connection;
    }
    abandoned.forEach(p -> p.tryFail("unsubscribed"));
    if (conn != null) {
      conn.send(Request.cmd(Command.UNSUBSCRIBE).arg(name));
    }
  }

  private void connect() {
    synchronized (this) {
      if (closed || connecting || connection != null) {
        return;
      }
      connecting = true;
    }
    dedicated
        .connect()
        .timeout(commands.timeoutMillis(), TimeUnit.MILLISECONDS)
        .onComplete(
            ar -> {
              RedisConnection conn = ar.succeeded() ? ar.result() : null;
              List<String> names;
              synchronized (this) {
                connecting = false;
                if (conn == null || closed) {
                  if (conn != null) {
                    conn.close();
                    return;
                  }
                  long wait = backoff.failed();
                  LOG.warn(
                      "broker: cannot subscribe at {} ({}); retrying in {} ms",
                      commands.description(),
                      ar.cause().getMessage(),
                      wait);
                  vertx.setTimer(wait, t -> context.runOnContext(v -> connect()));
                  return;
                }
                backoff.succeeded();
                connection = conn;
                names = new ArrayList<>(channels.keySet());
                channels.values().forEach(c -> c.confirmed = false);
              }
              conn.handler(this::received);
              conn.exceptionHandler(e -> lost(conn, e));
              conn.endHandler(v -> lost(conn, null));
              Request sub = Request.cmd(Command.SUBSCRIBE);
              names.forEach(sub::arg);
              conn.send(sub).onFailure(e -> lost(conn, e));
              LOG.info(
                  "broker: subscribed at {} ({} channels)", commands.description(), names.size());
            });
  }

  private void lost(RedisConnection conn, Throwable e) {
    synchronized (this) {
      if (connection != conn) {
        return;
      }
      connection = null;
      channels.values().forEach(c -> c.confirmed = false);
    }
    LOG.warn(
        "broker: the subscription connection to Redis was lost ({}); reconnecting",
        String.valueOf(e));
    conn.close();
    vertx.setTimer(backoff.current(), t -> context.runOnContext(v -> connect()));
  }

  /** A push from Redis: a message or a confirmation (RESP3 PUSH, RESP2 multi-bulk). */
  private void received(Response r) {
    if (r == null
        || (r.type() != ResponseType.PUSH && r.type() != ResponseType.MULTI)
        || r.size() < 2) {
      return;
    }
    String kind = r.get(0).toString();
    String name = r.get(1).toString();
    if ("subscribe".equals(kind)) {
      confirmed(name);
      return;
    }
    if (!"message".equals(kind) || r.size() < 3) {
      return;
    }
    if (name.equals(keys.events())) {
      events.accept(r.get(2).toString());
      return;
    }
    Channel ch;
    synchronized (this) {
      ch = channels.get(name);
    }
    if (ch != null && ch.sessionId != null) {
      frames.received(ch.sessionId, ch.language, r.get(2).toBuffer());
    }
  }

  private void confirmed(String name) {
    List<Promise<Void>> ready;
    synchronized (this) {
      Channel ch = channels.get(name);
      if (ch == null) {
        return;
      }
      ch.confirmed = true;
      ready = new ArrayList<>(ch.waiting);
      ch.waiting.clear();
    }
    ready.forEach(Promise::tryComplete);
  }
}
