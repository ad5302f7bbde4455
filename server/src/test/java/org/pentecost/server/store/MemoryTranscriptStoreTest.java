package org.pentecost.server.store;

import io.vertx.core.Vertx;
import org.pentecost.server.session.TranscriptStore;

class MemoryTranscriptStoreTest extends TranscriptStoreContract {
  @Override
  protected TranscriptStore newStore(Vertx vertx) {
    return new MemoryTranscriptStore();
  }
}
