package org.pentecost.server.store;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.session.SummaryStore;

/** The summary contract against the embedded store's history file. */
class EmbeddedSummaryStoreTest extends SummaryStoreContract {
  @TempDir Path dir;
  private HistoryFile file;

  @Override
  protected SummaryStore newStore(Vertx vertx) {
    file = HistoryFile.open(vertx, dir, Clock.systemUTC());
    return new EmbeddedSummaryStore(file);
  }

  @AfterEach
  void closeFile() {
    SessionStoreContract.await(file.close());
  }
}
