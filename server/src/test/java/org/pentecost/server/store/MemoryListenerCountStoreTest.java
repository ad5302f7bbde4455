package org.pentecost.server.store;

import io.vertx.core.Vertx;

class MemoryListenerCountStoreTest extends ListenerCountStoreContract {
  @Override
  protected ListenerCountStore newStore(Vertx vertx) {
    return new MemoryListenerCountStore();
  }
}
