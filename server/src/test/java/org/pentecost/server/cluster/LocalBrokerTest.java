package org.pentecost.server.cluster;

import io.vertx.core.Vertx;

/** The broker contract for a single node: every call succeeds and nothing crosses. */
class LocalBrokerTest extends BrokerContract {
  @Override
  protected Broker newBroker(Vertx vertx, String nodeId, long windowMicros) {
    return new LocalBroker(nodeId);
  }

  @Override
  protected boolean connectsNodes() {
    return false;
  }
}
