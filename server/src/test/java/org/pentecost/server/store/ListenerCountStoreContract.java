package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pentecost.server.session.ListenerCountStore;

/** The {@link ListenerCountStore} contract; every implementation extends this with a factory. */
public abstract class ListenerCountStoreContract {
  protected Vertx vertx;
  protected ListenerCountStore counts;

  /** A new store with no counts, using {@code vertx}. */
  protected abstract ListenerCountStore newStore(Vertx vertx);

  @BeforeEach
  void startStore() {
    vertx = Vertx.vertx();
    counts = newStore(vertx);
  }

  @AfterEach
  void stopVertx() {
    SessionStoreContract.await(vertx.close());
  }

  private static <T> T await(Future<T> future) {
    return SessionStoreContract.await(future);
  }

  private int total(String session) {
    return await(counts.counts(session)).values().stream().mapToInt(Integer::intValue).sum();
  }

  @Test
  void tryAddCountsPerLanguageUpToTheCapacity() {
    assertThat(await(counts.tryAdd("S1", "en", 3))).isTrue();
    assertThat(await(counts.tryAdd("S1", "fr", 3))).isTrue();
    assertThat(await(counts.tryAdd("S1", "en", 3))).isTrue();
    assertThat(await(counts.tryAdd("S1", "de", 3))).isFalse();
    assertThat(await(counts.counts("S1"))).isEqualTo(Map.of("en", 2, "fr", 1));
    assertThat(await(counts.tryAdd("S2", "en", 0))).isFalse();
    assertThat(await(counts.counts("S2"))).isEmpty();
  }

  @Test
  void tryAddNeverExceedsTheCapacityUnderConcurrency() throws Exception {
    int capacity = 50;
    String[] languages = {"en", "fr", "de", "es"};
    List<Future<Boolean>> results =
        SessionStoreContract.runConcurrently(
            200, 200, i -> counts.tryAdd("S1", languages[i % languages.length], capacity));
    long added = results.stream().filter(SessionStoreContract::await).count();
    assertThat(added).isEqualTo(capacity);
    assertThat(total("S1")).isEqualTo(capacity);
  }

  @Test
  void removeNeverGoesBelowZero() {
    await(counts.remove("S1", "en"));
    assertThat(await(counts.counts("S1"))).isEmpty();
    await(counts.tryAdd("S1", "en", 10));
    await(counts.remove("S1", "en"));
    await(counts.remove("S1", "en"));
    await(counts.remove("S1", "fr"));
    assertThat(await(counts.counts("S1"))).isEmpty();
    assertThat(await(counts.tryAdd("S1", "en", 1))).isTrue();
    assertThat(await(counts.counts("S1"))).isEqualTo(Map.of("en", 1));
  }

  @Test
  void countsOmitZeros() {
    await(counts.tryAdd("S1", "en", 10));
    await(counts.tryAdd("S1", "fr", 10));
    await(counts.remove("S1", "en"));
    assertThat(await(counts.counts("S1"))).isEqualTo(Map.of("fr", 1));
    assertThat(await(counts.counts("NOBODY"))).isEmpty();
  }

  @Test
  void moveKeepsTheTotal() {
    await(counts.tryAdd("S1", "en", 2));
    await(counts.tryAdd("S1", "en", 2));
    await(counts.move("S1", "en", "fr"));
    assertThat(await(counts.counts("S1"))).isEqualTo(Map.of("en", 1, "fr", 1));
    // a full session still lets a listener switch language
    await(counts.move("S1", "en", "de"));
    assertThat(await(counts.counts("S1"))).isEqualTo(Map.of("fr", 1, "de", 1));
    // out of a language nobody listens in: ignored, like remove
    await(counts.move("S1", "es", "fr"));
    await(counts.move("S1", "fr", "fr"));
    assertThat(await(counts.counts("S1"))).isEqualTo(Map.of("fr", 1, "de", 1));
  }

  @Test
  void concurrentMovesNeverChangeTheTotalSeenByReaders() throws Exception {
    for (int i = 0; i < 20; i++) {
      await(counts.tryAdd("S1", i % 2 == 0 ? "en" : "fr", 100));
    }
    AtomicBoolean moving = new AtomicBoolean(true);
    AtomicInteger wrongTotals = new AtomicInteger();
    Thread reader =
        new Thread(
            () -> {
              while (moving.get()) {
                if (total("S1") != 20) {
                  wrongTotals.incrementAndGet();
                }
              }
            });
    reader.start();
    try {
      SessionStoreContract.runConcurrently(
          16, 4_000, i -> counts.move("S1", i % 2 == 0 ? "en" : "fr", i % 2 == 0 ? "fr" : "en"));
    } finally {
      moving.set(false);
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
    assertThat(wrongTotals).hasValue(0);
    assertThat(total("S1")).isEqualTo(20);
  }

  @Test
  void demandChangesAreToldOnceOnTheFirstAndLastListenerOfALanguage() {
    List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    counts.onDemandChange((s, language, demanded) -> told.add(s + ":" + language + ":" + demanded));
    await(counts.tryAdd("S1", "es", 10));
    await(counts.tryAdd("S1", "es", 10));
    await(counts.tryAdd("S2", "es", 10));
    await(counts.remove("S1", "es"));
    assertThat(told).containsExactly("S1:es:true", "S2:es:true");
    await(counts.move("S1", "es", "fr"));
    assertThat(told).containsExactly("S1:es:true", "S2:es:true", "S1:es:false", "S1:fr:true");
    await(counts.move("S1", "de", "fr")); // nobody listens in de: nothing
    await(counts.remove("S1", "fr"));
    await(counts.remove("S1", "fr")); // already zero: nothing
    assertThat(told).endsWith("S1:fr:false").hasSize(5);
    // full: no listener added, no demand
    await(counts.tryAdd("S3", "en", 0));
    assertThat(told).hasSize(5);
  }

  @Test
  void concurrentJoinsAndLeavesTellEachTransitionOnce() throws Exception {
    AtomicInteger demanded = new AtomicInteger();
    AtomicInteger abandoned = new AtomicInteger();
    counts.onDemandChange((s, language, up) -> (up ? demanded : abandoned).incrementAndGet());
    SessionStoreContract.runConcurrently(50, 50, i -> counts.tryAdd("S1", "es", 100))
        .forEach(ListenerCountStoreContract::await);
    assertThat(demanded).hasValue(1);
    SessionStoreContract.runConcurrently(50, 50, i -> counts.remove("S1", "es"))
        .forEach(ListenerCountStoreContract::await);
    assertThat(abandoned).hasValue(1);
  }

  @Test
  void clearForgetsOneSession() {
    await(counts.tryAdd("S1", "en", 5));
    await(counts.tryAdd("S2", "en", 5));
    await(counts.clear("S1"));
    await(counts.clear("NOBODY"));
    assertThat(await(counts.counts("S1"))).isEmpty();
    assertThat(await(counts.counts("S2"))).isEqualTo(Map.of("en", 1));
    assertThat(await(counts.tryAdd("S1", "en", 1))).isTrue();
  }
}
