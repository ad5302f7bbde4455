package org.pentecost.server.store;

import io.vertx.core.Vertx;
import org.pentecost.server.session.SummaryStore;

class MemorySummaryStoreTest extends SummaryStoreContract {
  @Override
  protected SummaryStore newStore(Vertx vertx) {
    return new MemorySummaryStore();
  }
}
