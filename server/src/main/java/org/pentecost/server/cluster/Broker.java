package org.pentecost.server.cluster;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;

/**
 * Audio frames and control events between the nodes of one service. {@link LocalBroker} is a single
 * node (nothing crosses); {@link RedisBroker} carries them over Redis pub/sub, with each stream's
 * last seconds kept in a shared list so that a listener can resume on any node.
 *
 * <p>Handlers are called on the broker's own context; they must not block.
 */
public interface Broker {

  /** One numbered frame of a stream: the 16-byte audio header and the payload. */
  record Frame(
      String sessionId,
      String language,
      String origin,
      long seq,
      long durationMicros,
      Buffer audio) {}

  /** True when nothing crosses to other nodes (one node on the embedded store). */
  boolean isLocal();

  /** This node's id, as carried in the frames and events it publishes. */
  String nodeId();

  /** Where frames of the streams this node subscribes to arrive (set once, before start). */
  void onFrame(Consumer<Frame> handler);

  /** Where other nodes' events arrive (set once, before start). */
  void onEvent(Consumer<JsonObject> handler);

  Future<Void> start();

  Future<Void> close();

  /**
   * Keeps {@code frame} in the stream's shared window and sends it to the nodes that subscribe to
   * the stream. Frames of one stream leave in the order of the calls; a frame that cannot be sent
   * is dropped (counted), never retried out of order.
   */
  void publish(Frame frame);

  /**
   * Takes one more hold on the stream's channel; the first hold subscribes. Completes once the
   * subscription is in place, so that every frame published after that arrives at {@link #onFrame}.
   */
  Future<Void> subscribe(String sessionId, String language);

  /** Releases one hold; the last one unsubscribes. */
  void unsubscribe(String sessionId, String language);

  /** The stream's shared window, oldest first (empty when none). */
  Future<List<Frame>> window(String sessionId, String language);

  /** Sends {@code event} to every other node (its {@code node} field is set to this node). */
  void publishEvent(JsonObject event);
}
