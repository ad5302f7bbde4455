package org.pentecost.server.store;

import io.vertx.core.Vertx;
import org.pentecost.server.session.ListenerCountStore;

class MemoryListenerCountStoreTest extends ListenerCountStoreContract {
  @Override
  protected ListenerCountStore newStore(Vertx vertx) {
    return new MemoryListenerCountStore();
  }
}
