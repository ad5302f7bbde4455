package org.pentecost.server.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker on Redis. Two connections of its own, apart from the shared pool, which share one
 * reconnect {@link Backoff}:
 *
 * <ul>
 *   <li>the {@link RedisSubscriber}: the events channel and the channel of every stream this node
 *       holds, subscribed again after a reconnect;
 *   <li>the {@link AudioPublisher}: every frame (one script: keep it in the stream's window list
 *       and publish it) and every event, in order.
 * </ul>
 *
 * <p>Frames travel as {@link FrameCodec} bytes, events as {@link NodeEventCodec} text; what this
 * node published itself is dropped when it comes back. Reads of a window go through the shared
 * pool.
 */
public final class RedisBroker implements Broker {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);

  private final RedisCommands commands;
  private final Redis dedicated;
  private final RedisKeys keys;
  private final String nodeId;
  private final byte[] origin;
  private final RedisSubscriber subscriber;
  private final AudioPublisher publisher;

  private volatile Consumer<Frame> frames = f -> {};
  private volatile BiConsumer<String, NodeEvent> events = (node, e) -> {};

  /**
   * @param windowMicros the replay window, in microseconds of audio
   * @param keepMillis how long a stream's list must outlive its last frame (the speaker's grace
   *     period and some): it carries the stream's numbering across a takeover on another node
   */
  public RedisBroker(
      Vertx vertx,
      RedisCommands commands,
      RedisKeys keys,
      String nodeId,
      long windowMicros,
      long keepMillis,
      MeterRegistry metrics) {
    this.commands = commands;
    this.dedicated = commands.dedicatedClient();
    this.keys = keys;
    this.nodeId = nodeId;
    this.origin = FrameCodec.origin(nodeId);
    long window = Math.max(1, windowMicros);
    Context context = vertx.getOrCreateContext();
    Backoff backoff = new Backoff();
    this.subscriber =
        new RedisSubscriber(
            vertx, context, commands, dedicated, keys, backoff, this::eventText, this::frameBytes);
    this.publisher =
        new AudioPublisher(
            context,
            commands,
            dedicated,
            keys,
            backoff,
            window,
            Math.max(keepMillis, 3 * window / 1000),
            metrics);
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
    subscriber.start();
    publisher.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    subscriber.close();
    publisher.close();
    return dedicated.close();
  }

  @Override
  public void publish(Frame frame) {
    publisher.publish(frame);
  }

  @Override
  public Future<Void> subscribe(String sessionId, String language) {
    return subscriber.subscribe(sessionId, language);
  }

  @Override
  public void unsubscribe(String sessionId, String language) {
    subscriber.unsubscribe(sessionId, language);
  }

  @Override
  public Future<List<Frame>> window(String sessionId, String language) {
    return commands
        .send(Command.LRANGE, keys.audio(sessionId, language), 0, -1)
        .map(
            r -> {
              List<Frame> out = new ArrayList<>();
              if (r != null) {
                for (Response item : r) {
                  out.add(FrameCodec.decode(sessionId, language, item.toBuffer()));
                }
              }
              return out;
            });
  }

  /** Always true: other nodes may be listening (whether any is, and gets it, is not known). */
  @Override
  public boolean publishEvent(NodeEvent event) {
    publisher.publishEvent(NodeEventCodec.encode(nodeId, event));
    return true;
  }

  /**
   * Standalone Redis: the subscribers of the events channel ({@code PUBSUB NUMSUB}), each node's
   * subscriber connection being one, less this node's. A Redis Cluster counts only the subscribers
   * of the shard asked, so there: the members of the node lease registry, less one (a member that
   * died and is not reaped yet is counted until its lease runs out; a caller then waits for its
   * deadline). When Redis does not answer: 0 (no other node can be reached either).
   */
  @Override
  public Future<Integer> otherNodes() {
    Future<Response> count =
        commands.isCluster()
            ? commands.send(Command.SCARD, keys.nodes())
            : commands.send(Command.PUBSUB, "NUMSUB", keys.events());
    return count
        .map(
            r -> {
              long n;
              if (commands.isCluster()) {
                n = r == null ? 0 : r.toLong();
              } else {
                Response item = r == null || r.size() < 2 ? null : r.get(1);
                n = item == null ? 0 : item.toLong();
              }
              return (int) Math.max(0, Math.min(Integer.MAX_VALUE, n - 1));
            })
        .otherwise(0);
  }

  private void eventText(String text) {
    try {
      NodeEventCodec.Received event = NodeEventCodec.decode(text);
      if (!nodeId.equals(event.node())) {
        events.accept(event.node(), event.event());
      }
    } catch (RuntimeException e) {
      LOG.warn("broker: ignoring an event it cannot read: {}", e.toString());
    }
  }

  private void frameBytes(String sessionId, String language, Buffer bytes) {
    if (FrameCodec.isFrom(bytes, origin)) {
      return;
    }
    Frame f;
    try {
      f = FrameCodec.decode(sessionId, language, bytes);
    } catch (IllegalArgumentException e) {
      LOG.warn("broker: ignoring a frame it cannot read: {}", e.getMessage());
      return;
    }
    frames.accept(f);
  }
}
