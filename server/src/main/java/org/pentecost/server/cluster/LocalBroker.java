package org.pentecost.server.cluster;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The broker of a single node (the embedded store, no Redis): a null object. There is no other
 * node, so frames and events published go nowhere and none arrive; a subscription succeeds at once
 * and holds nothing; every window is empty. Every call answers at once, so the paths that read the
 * shared window or subscribe before a join cost a completed future here.
 */
public final class LocalBroker implements Broker {
  private final String nodeId;

  public LocalBroker(String nodeId) {
    this.nodeId = nodeId;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public void onFrame(Consumer<Frame> handler) {}

  @Override
  public void onEvent(BiConsumer<String, NodeEvent> handler) {}

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  @Override
  public void publish(Frame frame) {}

  @Override
  public Future<Void> subscribe(String sessionId, String language) {
    return Future.succeededFuture();
  }

  @Override
  public void unsubscribe(String sessionId, String language) {}

  @Override
  public Future<List<Frame>> window(String sessionId, String language) {
    return Future.succeededFuture(List.of());
  }

  /** No other node: the event goes nowhere. */
  @Override
  public boolean publishEvent(NodeEvent event) {
    return false;
  }

  /** No other node. */
  @Override
  public Future<Integer> otherNodes() {
    return Future.succeededFuture(0);
  }
}
