package org.pentecost.server.store;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.pentecost.server.session.QualityTier;
import org.pentecost.server.session.Session;
import org.pentecost.server.session.SessionStatus;

/**
 * Run in a separate JVM by {@link EmbeddedSessionStoreTest}: creates sessions {@code KILL0}, {@code
 * KILL1}, ... one after the other and prints {@code CREATED <id>} once each create's future has
 * succeeded, until the test kills the process.
 */
public final class StoreKillMain {
  private StoreKillMain() {}

  public static void main(String[] args) throws InterruptedException {
    long now = Long.parseLong(args[1]);
    Vertx vertx = Vertx.vertx();
    EmbeddedSessionStore store =
        EmbeddedSessionStore.open(
            vertx, Path.of(args[0]), Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC));
    createFrom(store, 0, now);
    Thread.sleep(Long.MAX_VALUE);
  }

  private static void createFrom(EmbeddedSessionStore store, int i, long now) {
    String id = "KILL" + i;
    Session s =
        new Session(
            id,
            "killer",
            "en",
            QualityTier.STANDARD,
            SessionStatus.ACTIVE,
            now,
            now,
            now + 86_400_000L,
            1,
            false);
    store
        .create(s)
        .onSuccess(
            created -> {
              System.out.println("CREATED " + id);
              System.out.flush();
              createFrom(store, i + 1, now);
            })
        .onFailure(e -> e.printStackTrace());
  }
}
