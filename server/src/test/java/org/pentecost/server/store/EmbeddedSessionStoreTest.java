package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.StringDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.config.ConfigException;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.session.QualityTier;
import org.pentecost.server.session.Session;
import org.pentecost.server.session.SessionStatus;
import org.pentecost.server.session.SessionStore;

class EmbeddedSessionStoreTest extends SessionStoreContract {
  @TempDir Path dir;

  @Override
  protected SessionStore newStore(Vertx vertx, Clock clock) {
    return EmbeddedSessionStore.open(vertx, dir, clock);
  }

  private EmbeddedSessionStore embedded() {
    return (EmbeddedSessionStore) store;
  }

  private void reopen() {
    await(store.close());
    store = newStore(vertx, clock);
  }

  @Test
  void sessionsSurviveCloseAndReopen() {
    Session v1 = session("ABC123", "alice", T0, HOUR);
    await(store.create(v1));
    Session v2 = v1.next(SessionStatus.PAUSED, "fr", QualityTier.PREMIUM, T0 + 5);
    await(store.replace(1, v2));
    reopen();
    assertThat(await(store.get("ABC123"))).contains(v2);
    assertThat(await(store.findBySpeaker("alice"))).containsExactly(v2);
    assertThat(Files.exists(dir.resolve("sessions.mv.db"))).isTrue();
  }

  @Test
  void acknowledgedSessionsSurviveAHardKill() throws Exception {
    await(store.close());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                StoreKillMain.class.getName(),
                dir.toString(),
                Long.toString(T0))
            .redirectErrorStream(true)
            .start();
    List<String> acknowledged = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  if (line.startsWith("CREATED ")) {
                    acknowledged.add(line.substring("CREATED ".length()));
                  }
                }
              } catch (Exception ignored) {
                // the pipe breaks when the child dies
              }
            });
    reader.start();
    try {
      // kill it while it keeps writing, well after its first acknowledged create
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acknowledged.size() < 50 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(acknowledged).as("the child acknowledged creates").hasSizeGreaterThan(0);
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
      reader.join(10_000);
    }
    store = newStore(vertx, clock);
    for (String id : acknowledged) {
      assertThat(await(store.get(id))).as(id).isPresent();
    }
    assertThat(await(store.findBySpeaker("killer")))
        .hasSizeGreaterThanOrEqualTo(acknowledged.size());
  }

  @Test
  void purgeFreesTheSpeakerIndex() {
    await(store.create(session("GONE01", "alice", T0, 1_000)));
    await(store.create(session("KEPT01", "alice", T0, HOUR)));
    assertThat(embedded().indexSize()).isEqualTo(2);
    assertThat(await(store.purgeExpired(T0 + 1_000))).isEqualTo(1);
    assertThat(embedded().indexSize()).isEqualTo(1);
    reopen();
    assertThat(embedded().indexSize()).isEqualTo(1);
  }

  @Test
  void concurrentWritesShareCommits() throws Exception {
    int writes = 2_000;
    long before = embedded().commitCount();
    List<Future<Boolean>> results =
        runConcurrently(8, writes, i -> store.create(session("G" + i, "s" + i, T0, HOUR)));
    for (Future<Boolean> f : results) {
      assertThat(await(f)).isTrue();
    }
    long commits = embedded().commitCount() - before;
    assertThat(commits).isPositive().isLessThan(writes);
  }

  @Test
  void aClosedStoreFailsWithStoreException() {
    await(store.close());
    assertThat(store.ping().failed()).isTrue();
    Future<Boolean> create = store.create(session("LATE01", "alice", T0, HOUR));
    assertThat(create.toCompletionStage().toCompletableFuture())
        .failsWithin(10, TimeUnit.SECONDS)
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(StoreException.class);
    await(store.close()); // closing twice is harmless
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefused() {
    assertThatThrownBy(() -> EmbeddedSessionStore.open(vertx, dir, clock))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("already in use by another process")
        .hasMessageContaining(dir.toAbsolutePath().toString());
    await(store.ping()); // the first one is unharmed
  }

  @Test
  void aCorruptFileIsReportedWithItsPath() throws Exception {
    await(store.close());
    Path file = dir.resolve("sessions.mv.db");
    Files.write(file, "this is no MVStore file ".repeat(1_000).getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> EmbeddedSessionStore.open(vertx, dir, clock))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("corrupt")
        .hasMessageContaining(file.toAbsolutePath().toString());
  }

  @Test
  void aDataDirectoryThatCannotBeCreatedIsReported() throws Exception {
    Path aFile = Files.writeString(dir.resolve("plain-file"), "x");
    assertThatThrownBy(() -> EmbeddedSessionStore.open(vertx, aFile.resolve("data"), clock))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot be created")
        .hasMessageContaining(aFile.toAbsolutePath().toString());
  }

  @Test
  void anUnwritableDataDirectoryIsReported() throws Exception {
    Path readOnly = Files.createDirectory(dir.resolve("read-only"));
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assumeTrue(!Files.isWritable(readOnly), "permissions are not enforced (running as root?)");
      assertThatThrownBy(() -> EmbeddedSessionStore.open(vertx, readOnly, clock))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("not writable")
          .hasMessageContaining(readOnly.toAbsolutePath().toString());
    } finally {
      Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void aSpeakerIndexLeftInconsistentByACrashIsRepairedOnOpen() {
    Session kept = session("R1", "alice", T0, HOUR);
    Session unindexed = session("R2", "alice", T0 + 1, HOUR);
    await(store.create(kept));
    await(store.create(unindexed));
    await(store.close());
    // what a kill between the two maps' writes could leave: an entry missing, a stale one
    try (MVStore raw =
        new MVStore.Builder().fileName(dir.resolve("sessions.mv.db").toString()).open()) {
      MVMap<String, String> index =
          raw.openMap(
              "sessionsBySpeaker",
              new MVMap.Builder<String, String>()
                  .keyType(StringDataType.INSTANCE)
                  .valueType(StringDataType.INSTANCE));
      index.remove("alice\u0000R2");
      index.put("bob\u0000R1", "");
      index.put("carol\u0000GONE", "");
      raw.commit();
    }
    store = newStore(vertx, clock);
    assertThat(await(store.findBySpeaker("alice"))).containsExactly(unindexed, kept);
    assertThat(embedded().indexSize()).isEqualTo(2);
  }

  @Test
  void sessionStoreFileIsNamedAsDocumented() {
    assertThat(dir.resolve(EmbeddedSessionStore.FILE_NAME)).exists().hasFileName("sessions.mv.db");
  }
}
