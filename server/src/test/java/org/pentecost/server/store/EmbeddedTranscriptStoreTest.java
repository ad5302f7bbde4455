package org.pentecost.server.store;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.session.TranscriptStore;

/** The transcript contract against the embedded store's history file. */
class EmbeddedTranscriptStoreTest extends TranscriptStoreContract {
  @TempDir Path dir;
  private HistoryFile file;

  @Override
  protected TranscriptStore newStore(Vertx vertx) {
    file = HistoryFile.open(vertx, dir, Clock.systemUTC());
    return new EmbeddedTranscriptStore(file);
  }

  @AfterEach
  void closeFile() {
    SessionStoreContract.await(file.close());
  }
}
