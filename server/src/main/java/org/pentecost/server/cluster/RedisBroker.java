package org.pentecost.server.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.pentecost.server.redis.LuaScript;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker on Redis. Two connections of its own, apart from the shared pool:
 *
 * <ul>
 *   <li>the <b>subscriber</b>, subscribed to the events channel and to the channel of every stream
 *       this node holds; after a reconnect (with backoff) it subscribes to all of them again;
 *   <li>the <b>publisher</b>, which sends every frame with one script ({@code audio_publish.lua}:
 *       RPUSH to the stream's window list, LTRIM, PEXPIRE, PUBLISH). One connection, so that the
 *       frames of a stream reach Redis in the order they were numbered.
 * </ul>
 *
 * <p>A frame travels as {@code [origin length][origin][seq: 8][duration µs: 8][audio header +
 * payload]}. Reads of a window go through the shared pool.
 */
public final class RedisBroker implements Broker {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
  private static final LuaScript PUBLISH = LuaScript.load("audio_publish");
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  private final RedisCommands commands;
  private final Redis dedicated;
  private final RedisKeys keys;
  private final String nodeId;
  private final byte[] origin;
  private final long windowMicros;
  private final long windowTtlMillis;
  private final Context context;
  private final Counter dropped;

  private volatile Consumer<Frame> frames = f -> {};
  private volatile BiConsumer<String, NodeEvent> events = (node, e) -> {};

  // Guarded by this.
  private final Map<String, Channel> channels = new HashMap<>();
  private RedisConnection subscriber;
  private boolean subscriberConnecting;
  private long subscriberBackoff = MIN_BACKOFF_MS;
  private RedisConnection publisher;
  private boolean publisherConnecting;
  private long publisherRetryAt;
  private long publisherBackoff = MIN_BACKOFF_MS;
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

  public RedisBroker(
      Vertx vertx,
      RedisCommands commands,
      RedisKeys keys,
      String nodeId,
      long windowMicros,
      long keepMillis,
      MeterRegistry metrics) {
    this.vertx = vertx;
    this.commands = commands;
    this.dedicated = commands.dedicatedClient();
    this.keys = keys;
    this.nodeId = nodeId;
    this.origin = nodeId.getBytes(StandardCharsets.UTF_8);
    if (origin.length > 255) {
      throw new IllegalArgumentException("node id longer than 255 bytes: " + nodeId);
    }
    this.windowMicros = Math.max(1, windowMicros);
    // The list also carries a stream's numbering across a takeover on another node, so it outlives
    // a speaker's absence (keepMillis: the speaker's grace period and some).
    this.windowTtlMillis = Math.max(keepMillis, 3 * windowMicros / 1000);
    this.context = vertx.getOrCreateContext();
    this.dropped =
        Counter.builder("pentecost.broker.frames.dropped")
            .description("Frames not sent to other nodes (Redis unavailable or failing)")
            .register(metrics);
    Channel eventsChannel = new Channel(null, null);
    eventsChannel.holds = 1;
    channels.put(keys.events(), eventsChannel);
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public void onFrame(Consumer<Frame> handler) {
    this.frames = handler;
  }

  @Override
  public void onEvent(BiConsumer<String, NodeEvent> handler) {
    this.events = handler;
  }

  @Override
  public Future<Void> start() {
    context.runOnContext(v -> connectSubscriber());
    connectPublisher();
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    RedisConnection sub;
    RedisConnection pub;
    synchronized (this) {
      closed = true;
      sub = subscriber;
      pub = publisher;
      subscriber = null;
      publisher = null;
    }
    if (sub != null) {
      sub.close();
    }
    if (pub != null) {
      pub.close();
    }
    return dedicated.close();
  }

  // ---- publishing

  @Override
  public void publish(Frame frame) {
    RedisConnection conn;
    synchronized (this) {
      conn = publisher;
      if (conn == null) {
        dropped.increment();
        connectPublisher();
        return;
      }
    }
    long keep = Math.max(2, windowMicros / Math.max(1, frame.durationMicros()) + 2);
    String key = keys.audio(frame.sessionId(), frame.language());
    Request request =
        Request.cmd(Command.EVALSHA)
            .arg(PUBLISH.sha1())
            .arg(1)
            .arg(key)
            .arg(encode(frame))
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

  private synchronized void connectPublisher() {
    long now = System.currentTimeMillis();
    if (closed || publisherConnecting || now < publisherRetryAt) {
      return;
    }
    publisherConnecting = true;
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
                        publisherConnecting = false;
                        if (ar.failed() || closed) {
                          if (ar.succeeded()) {
                            ar.result().close();
                          }
                          publisherRetryAt = System.currentTimeMillis() + publisherBackoff;
                          publisherBackoff = Math.min(MAX_BACKOFF_MS, publisherBackoff * 2);
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
                        publisherBackoff = MIN_BACKOFF_MS;
                        publisher = conn;
                        conn.exceptionHandler(e -> publisherLost(conn, e));
                        conn.endHandler(e -> publisherLost(conn, null));
                      }
                    }));
  }

  private synchronized void publisherLost(RedisConnection conn, Throwable e) {
    if (publisher == conn) {
      publisher = null;
      LOG.warn("broker: the audio connection to Redis was lost ({})", String.valueOf(e));
      conn.close();
    }
  }

  private Buffer encode(Frame f) {
    Buffer b = Buffer.buffer(1 + origin.length + 16 + f.audio().length());
    b.appendByte((byte) origin.length).appendBytes(origin);
    b.appendLong(f.seq()).appendLong(f.durationMicros()).appendBuffer(f.audio());
    return b;
  }

  /** The origin of an encoded frame, or null if it is this node's own. */
  private Frame decode(String sessionId, String language, Buffer b, boolean skipOwn) {
    int n = b.getUnsignedByte(0);
    if (skipOwn && n == origin.length && java.util.Arrays.equals(b.getBytes(1, 1 + n), origin)) {
      return null;
    }
    String from = b.getString(1, 1 + n, "UTF-8");
    long seq = b.getLong(1 + n);
    long duration = b.getLong(9 + n);
    return new Frame(sessionId, language, from, seq, duration, b.getBuffer(17 + n, b.length()));
  }

  // ---- subscribing

  @Override
  public Future<Void> subscribe(String sessionId, String language) {
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
      conn = ch.holds == 1 ? subscriber : null;
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
                    new org.pentecost.server.store.StoreException(
                        commands.description() + ": subscribing to a stream failed: " + e, e)));
  }

  @Override
  public void unsubscribe(String sessionId, String language) {
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
      conn = subscriber;
    }
    abandoned.forEach(p -> p.tryFail("unsubscribed"));
    if (conn != null) {
      conn.send(Request.cmd(Command.UNSUBSCRIBE).arg(name));
    }
  }

  private void connectSubscriber() {
    synchronized (this) {
      if (closed || subscriberConnecting || subscriber != null) {
        return;
      }
      subscriberConnecting = true;
    }
    dedicated
        .connect()
        .timeout(commands.timeoutMillis(), TimeUnit.MILLISECONDS)
        .onComplete(
            ar -> {
              RedisConnection conn = ar.succeeded() ? ar.result() : null;
              List<String> names;
              synchronized (this) {
                subscriberConnecting = false;
                if (conn == null || closed) {
                  if (conn != null) {
                    conn.close();
                    return;
                  }
                  long wait = subscriberBackoff;
                  subscriberBackoff = Math.min(MAX_BACKOFF_MS, subscriberBackoff * 2);
                  LOG.warn(
                      "broker: cannot subscribe at {} ({}); retrying in {} ms",
                      commands.description(),
                      ar.cause().getMessage(),
                      wait);
                  vertx.setTimer(wait, t -> context.runOnContext(v -> connectSubscriber()));
                  return;
                }
                subscriberBackoff = MIN_BACKOFF_MS;
                subscriber = conn;
                names = new ArrayList<>(channels.keySet());
                channels.values().forEach(c -> c.confirmed = false);
              }
              conn.handler(this::received);
              conn.exceptionHandler(e -> subscriberLost(conn, e));
              conn.endHandler(v -> subscriberLost(conn, null));
              Request sub = Request.cmd(Command.SUBSCRIBE);
              names.forEach(sub::arg);
              conn.send(sub).onFailure(e -> subscriberLost(conn, e));
              LOG.info(
                  "broker: subscribed at {} ({} channels)", commands.description(), names.size());
            });
  }

  private void subscriberLost(RedisConnection conn, Throwable e) {
    synchronized (this) {
      if (subscriber != conn) {
        return;
      }
      subscriber = null;
      channels.values().forEach(c -> c.confirmed = false);
    }
    LOG.warn(
        "broker: the subscription connection to Redis was lost ({}); reconnecting",
        String.valueOf(e));
    conn.close();
    vertx.setTimer(subscriberBackoff, t -> context.runOnContext(v -> connectSubscriber()));
  }

  /** A push from the subscriber: a message or a confirmation (RESP3 PUSH, RESP2 multi-bulk). */
  private void received(Response r) {
    if (r == null
        || (r.type() != ResponseType.PUSH && r.type() != ResponseType.MULTI)
        || r.size() < 2) {
      return;
    }
    String kind = r.get(0).toString();
    String name = r.get(1).toString();
    if ("subscribe".equals(kind)) {
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
      return;
    }
    if (!"message".equals(kind) || r.size() < 3) {
      return;
    }
    if (name.equals(keys.events())) {
      try {
        NodeEventCodec.Received event = NodeEventCodec.decode(r.get(2).toString());
        if (!nodeId.equals(event.node())) {
          events.accept(event.node(), event.event());
        }
      } catch (RuntimeException e) {
        LOG.warn("broker: ignoring an event it cannot read: {}", e.toString());
      }
      return;
    }
    Channel ch;
    synchronized (this) {
      ch = channels.get(name);
    }
    if (ch == null || ch.sessionId == null) {
      return;
    }
    Frame f = decode(ch.sessionId, ch.language, r.get(2).toBuffer(), true);
    if (f != null) {
      frames.accept(f);
    }
  }

  // ---- reading windows, events

  @Override
  public Future<List<Frame>> window(String sessionId, String language) {
    return commands
        .send(Command.LRANGE, keys.audio(sessionId, language), 0, -1)
        .map(
            r -> {
              List<Frame> out = new ArrayList<>();
              if (r != null) {
                for (Response item : r) {
                  out.add(decode(sessionId, language, item.toBuffer(), false));
                }
              }
              return out;
            });
  }

  /**
   * Events go on the audio connection when it is open, so that they keep their order among
   * themselves and with the frames (a stream's start reaches other nodes before its frames).
   */
  @Override
  public boolean publishEvent(NodeEvent event) {
    RedisConnection conn;
    synchronized (this) {
      conn = publisher;
      if (conn == null) {
        connectPublisher();
      }
    }
    Request request =
        Request.cmd(Command.PUBLISH).arg(keys.events()).arg(NodeEventCodec.encode(nodeId, event));
    (conn != null ? conn.send(request) : commands.send(request))
        .onFailure(e -> LOG.warn("broker: an event did not reach other nodes: {}", e.toString()));
    return true;
  }
}
