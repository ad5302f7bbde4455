package org.pentecost.server.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;

/** One node: nothing crosses, every call answers at once. */
public final class LocalBroker implements Broker {
  private final String nodeId;

  public LocalBroker(String nodeId) {
    this.nodeId = nodeId;
  }

  @Override
  public boolean isLocal() {
    return true;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public void onFrame(Consumer<Frame> handler) {}

  @Override
  public void onEvent(Consumer<JsonObject> handler) {}

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

  @Override
  public void publishEvent(JsonObject event) {}
}
