package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.config.ConfigException;
import org.pentecost.server.session.Session;

/** The embedded store's file checked against its commit log at start, and {@code recover}. */
class StoreStartupTest {
  private static final long T0 = SessionStoreContract.T0;
  private static final long HOUR = SessionStoreContract.HOUR;

  @TempDir Path dir;
  private Vertx vertx;
  private final MutableClock clock = new MutableClock(T0);

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stopVertx() {
    await(vertx.close());
  }

  private Path file() {
    return dir.resolve(EmbeddedSessionStore.FILE_NAME).toAbsolutePath();
  }

  /** Opens the store, creates one committed session per id, closes it. */
  private void createAndClose(String... ids) {
    EmbeddedSessionStore store = EmbeddedSessionStore.open(vertx, dir, clock);
    for (String id : ids) {
      assertThat(await(store.create(SessionStoreContract.session(id, "alice", T0, HOUR)))).isTrue();
    }
    await(store.close());
  }

  @Test
  void aBackupRestoredOverANewerFileIsRefusedAndRecoverKeepsWhatItHolds() throws Exception {
    createAndClose("OLD1", "OLD2");
    Path backup = Files.copy(file(), dir.resolve("backup.mv.db"));
    createAndClose("NEW1", "NEW2", "NEW3");
    Files.copy(backup, file(), StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> EmbeddedSessionStore.open(vertx, dir, clock))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file().toString())
        .hasMessageContaining("is damaged")
        .hasMessageContaining("commits are missing")
        .hasMessageContaining("--recover");
    assertThat(file()).hasSameBinaryContentAs(backup);

    EmbeddedSessionStore store = EmbeddedSessionStore.open(vertx, dir, clock, true);
    try {
      assertThat(await(store.get("OLD1"))).isPresent();
      assertThat(await(store.get("OLD2"))).isPresent();
      assertThat(await(store.get("NEW1"))).isEmpty();
      assertThat(await(store.findBySpeaker("alice")).stream().map(Session::id))
          .containsExactlyInAnyOrder("OLD1", "OLD2");
      List<Path> aside = aside();
      assertThat(aside).hasSize(1);
      assertThat(aside.get(0)).hasSameBinaryContentAs(backup);
    } finally {
      await(store.close());
    }
    // recovered: an ordinary store again
    createAndClose("NEW4");
  }

  @Test
  void aMissingFileWhoseLogHeldSessionsIsRefused() throws Exception {
    createAndClose("GONE1");
    Files.delete(file());
    assertThatThrownBy(() -> EmbeddedSessionStore.open(vertx, dir, clock))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is missing")
        .hasMessageContaining("--recover");
    assertThat(file()).doesNotExist();
  }

  @Test
  void aStoreFromBeforeTheCommitLogOpensAndStartsOne() throws Exception {
    createAndClose("KEPT1");
    Files.delete(dir.resolve(CommitLog.FILE_NAME));
    EmbeddedSessionStore store = EmbeddedSessionStore.open(vertx, dir, clock);
    try {
      assertThat(await(store.get("KEPT1"))).isPresent();
      assertThat(dir.resolve(CommitLog.FILE_NAME)).exists();
    } finally {
      await(store.close());
    }
  }

  @Test
  void recoverOnAnIntactFileChangesNothing() throws Exception {
    createAndClose("KEPT1", "KEPT2");
    EmbeddedSessionStore store = EmbeddedSessionStore.open(vertx, dir, clock, true);
    try {
      assertThat(await(store.get("KEPT2"))).isPresent();
      assertThat(aside()).isEmpty();
    } finally {
      await(store.close());
    }
  }

  @Test
  void everyAcknowledgedWriteIsInTheCommitLog() throws Exception {
    createAndClose("LOG1", "LOG2");
    List<CommitLog.Entry> entries = new CommitLog(dir).readAll();
    assertThat(entries.stream().flatMap(e -> e.changes().stream()).map(CommitLog.Change::id))
        .containsExactly("LOG1", "LOG2");
    assertThat(entries.get(entries.size() - 1).count()).isEqualTo(2);
  }

  private List<Path> aside() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().matches("sessions\\.mv\\.db\\.damaged-[0-9TZ]+"))
          .toList();
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
