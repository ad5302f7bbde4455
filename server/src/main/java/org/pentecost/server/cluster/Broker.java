package org.pentecost.server.cluster;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Audio frames and control events ({@link NodeEvent}) between the nodes of one service.
 *
 * <p>The contract, which every implementation keeps and {@code BrokerContract} tests:
 *
 * <ul>
 *   <li><b>Nobody hears itself.</b> Frames and events a node publishes go to the <em>other</em>
 *       nodes; they never come back to the node's own handlers.
 *   <li><b>At most once.</b> A frame or event is delivered to a subscribed node once or not at all
 *       (lost while a connection is down, never retried out of order). Callers that need every
 *       frame read the shared {@link #window} after {@link #subscribe} completes: a frame is then
 *       either in the window read or delivered live.
 *   <li><b>In order.</b> The frames of one stream, and the events, reach a node in the order this
 *       node published them, and a stream's start event reaches other nodes before its first frame,
 *       as long as the transport's connection holds (an event sent while it is down takes another
 *       way and may overtake).
 *   <li><b>Holds.</b> {@link #subscribe} and {@link #unsubscribe} count holds per stream: the first
 *       hold subscribes, the last release unsubscribes, and after it nothing more of the stream is
 *       delivered. A release without a hold is ignored.
 *   <li><b>Handlers</b> are set once, before {@link #start}, run on the broker's own context and
 *       must not block.
 * </ul>
 *
 * <p>The implementations:
 *
 * <ul>
 *   <li>{@link LocalBroker}: one node, no Redis. A null object: there is no other node, so what is
 *       published goes nowhere, nothing arrives, subscriptions succeed at once and do nothing, and
 *       every window is empty. Callers never ask which broker they have.
 *   <li>{@link RedisBroker}: Redis pub/sub, one channel per stream and one for events, with each
 *       stream's last seconds kept in a shared list (the window) so that a listener can resume on
 *       any node.
 * </ul>
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

  /** This node's id, as carried in the frames and events it publishes. */
  String nodeId();

  /** Where frames of the streams this node subscribes to arrive (set once, before start). */
  void onFrame(Consumer<Frame> handler);

  /**
   * Where other nodes' events arrive, with the id of the node that sent each (set once, before
   * start).
   */
  void onEvent(BiConsumer<String, NodeEvent> handler);

  /** Connects; never fails (a broker that cannot reach its transport keeps trying). */
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
   * subscription is in place, so that every frame published after that arrives at {@link #onFrame}
   * (at once when nothing crosses nodes).
   */
  Future<Void> subscribe(String sessionId, String language);

  /** Releases one hold; the last one unsubscribes. */
  void unsubscribe(String sessionId, String language);

  /** The stream's shared window, oldest first (empty when none, or when nothing is shared). */
  Future<List<Frame>> window(String sessionId, String language);

  /**
   * Sends {@code event}, from this node, to every other node. Returns false when no other node can
   * exist to receive it (a single node); true when it left for the others, which may still miss it
   * (at most once).
   */
  boolean publishEvent(NodeEvent event);

  /**
   * How many other nodes receive this node's events now, as well as can be known: how many answers
   * a call to every node should wait for. 0 for a node alone. Never fails: when it cannot be known
   * it is an estimate (and a caller waits for its deadline rather than for a count).
   */
  Future<Integer> otherNodes();
}
