package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pentecost.server.session.QualityTier;
import org.pentecost.server.session.Session;
import org.pentecost.server.session.SessionStatus;
import org.pentecost.server.session.SessionStore;

/**
 * The {@link SessionStore} contract; every implementation extends this class with a factory. Time
 * is a {@link MutableClock} the tests move by hand, so nothing here waits on the wall clock.
 */
public abstract class SessionStoreContract {
  protected static final long T0 = 1_700_000_000_000L;
  protected static final long HOUR = 3_600_000L;

  protected Vertx vertx;
  protected MutableClock clock;
  protected SessionStore store;

  /** A new, empty store that uses {@code vertx} and reads the time from {@code clock}. */
  protected abstract SessionStore newStore(Vertx vertx, Clock clock);

  /**
   * Whether {@link SessionStore#purgeExpired} deletes and counts expired sessions itself; false for
   * a store whose entries expire by themselves (Redis), which finds nothing left to delete.
   */
  protected boolean purgeReportsDeletions() {
    return true;
  }

  private void assertPurged(int purged, int expected) {
    if (purgeReportsDeletions()) {
      assertThat(purged).isEqualTo(expected);
    } else {
      assertThat(purged).isBetween(0, expected);
    }
  }

  @BeforeEach
  void startStore() {
    vertx = Vertx.vertx();
    clock = new MutableClock(T0);
    store = newStore(vertx, clock);
  }

  @AfterEach
  void stopStore() {
    try {
      if (store != null) { // null when newStore skipped the test
        await(store.close());
      }
    } finally {
      await(vertx.close());
    }
  }

  protected static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not succeed", e);
    }
  }

  protected static Session session(String id, String speaker, long createdAt, long ttl) {
    return new Session(
        id,
        speaker,
        "en",
        QualityTier.STANDARD,
        SessionStatus.ACTIVE,
        createdAt,
        createdAt,
        createdAt + ttl,
        1,
        false);
  }

  @Test
  void createThenGetReturnsTheSameSession() {
    Session s = session("ABC123", "alice", T0, HOUR);
    assertThat(await(store.create(s))).isTrue();
    assertThat(await(store.get("ABC123"))).contains(s);
    assertThat(await(store.get("OTHER1"))).isEmpty();
  }

  @Test
  void createOnALiveIdFailsAndKeepsTheFirst() {
    Session first = session("ABC123", "alice", T0, HOUR);
    await(store.create(first));
    assertThat(await(store.create(session("ABC123", "bob", T0, HOUR)))).isFalse();
    assertThat(await(store.get("ABC123"))).contains(first);
    assertThat(await(store.findBySpeaker("bob"))).isEmpty();
  }

  @Test
  void createOnAnExpiredIdTakesIt() {
    await(store.create(session("ABC123", "alice", T0, 1_000)));
    clock.advance(1_000);
    Session second = session("ABC123", "bob", clock.millis(), HOUR);
    assertThat(await(store.create(second))).isTrue();
    assertThat(await(store.get("ABC123"))).contains(second);
    assertThat(await(store.findBySpeaker("alice"))).isEmpty();
    assertThat(await(store.findBySpeaker("bob"))).containsExactly(second);
  }

  @Test
  void createOnAnExpiredIdOfTheSameSpeakerKeepsItFindable() {
    await(store.create(session("ABC123", "alice", T0, 1_000)));
    clock.advance(5_000);
    Session again = session("ABC123", "alice", clock.millis(), HOUR);
    assertThat(await(store.create(again))).isTrue();
    assertThat(await(store.findBySpeaker("alice"))).containsExactly(again);
  }

  @Test
  void anExpiredSessionIsInvisible() {
    await(store.create(session("ABC123", "alice", T0, 1_000)));
    clock.advance(999);
    assertThat(await(store.get("ABC123"))).isPresent();
    clock.advance(1); // expiresAt itself counts as expired
    assertThat(await(store.get("ABC123"))).isEmpty();
    assertThat(await(store.findBySpeaker("alice"))).isEmpty();
  }

  @Test
  void findBySpeakerListsOnlyTheirLiveSessionsNewestFirst() {
    Session old = session("S1", "alice", T0 - 3_000, HOUR);
    Session newest = session("S2", "alice", T0 - 1_000, HOUR);
    Session middle = session("S3", "alice", T0 - 2_000, HOUR);
    Session expired = session("S4", "alice", T0 - 10_000, 5_000);
    Session other = session("S5", "alice2", T0, HOUR);
    Session bobs = session("S6", "bob", T0, HOUR);
    for (Session s : List.of(old, newest, middle, expired, other, bobs)) {
      assertThat(await(store.create(s))).isTrue();
    }
    assertThat(await(store.findBySpeaker("alice"))).containsExactly(newest, middle, old);
    assertThat(await(store.findBySpeaker("bob"))).containsExactly(bobs);
    assertThat(await(store.findBySpeaker("carol"))).isEmpty();
  }

  @Test
  void replaceIsACompareAndSetOnTheVersion() {
    Session v1 = session("ABC123", "alice", T0, HOUR);
    await(store.create(v1));
    Session v2 = v1.next(SessionStatus.PAUSED, "de", QualityTier.PREMIUM, T0 + 10);
    assertThat(await(store.replace(1, v2))).isTrue();
    assertThat(await(store.get("ABC123"))).contains(v2);

    Session staleV2 = v1.next(SessionStatus.ENDED, "en", QualityTier.STANDARD, T0 + 20);
    assertThat(await(store.replace(1, staleV2))).isFalse();
    assertThat(await(store.get("ABC123"))).contains(v2);
    assertThat(await(store.findBySpeaker("alice"))).containsExactly(v2);

    Session ghost =
        session("NOPE00", "alice", T0, HOUR)
            .next(SessionStatus.PAUSED, "en", QualityTier.STANDARD, T0);
    assertThat(await(store.replace(1, ghost))).isFalse();
    assertThat(await(store.get("NOPE00"))).isEmpty();
  }

  @Test
  void replaceOfAnExpiredSessionFails() {
    Session v1 = session("ABC123", "alice", T0, 1_000);
    await(store.create(v1));
    clock.advance(1_000);
    Session v2 = v1.next(SessionStatus.PAUSED, "en", QualityTier.STANDARD, clock.millis());
    assertThat(await(store.replace(1, v2))).isFalse();
    assertThat(await(store.get("ABC123"))).isEmpty();
  }

  @Test
  void futuresCompleteOnTheCallersContext() throws Exception {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<List<Boolean>> onContext = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          Session s = session("CTX001", "alice", T0, HOUR);
          List<Boolean> checks = new ArrayList<>();
          store
              .create(s)
              .compose(
                  created -> {
                    checks.add(Vertx.currentContext() == context);
                    return store.replace(
                        1, s.next(SessionStatus.PAUSED, "en", QualityTier.STANDARD, T0));
                  })
              .compose(
                  replaced -> {
                    checks.add(Vertx.currentContext() == context);
                    return store.purgeExpired(T0 + 2 * HOUR);
                  })
              .onComplete(
                  ar -> {
                    checks.add(Vertx.currentContext() == context);
                    checks.add(ar.succeeded() && (ar.result() == 1 || !purgeReportsDeletions()));
                    onContext.complete(checks);
                  });
        });
    assertThat(onContext.get(30, TimeUnit.SECONDS)).containsExactly(true, true, true, true);
  }

  @Test
  void concurrentCreatesNeverGiveOneIdTwice() throws Exception {
    int creates = 10_000;
    int ids = 500; // a small id space: most creates collide on purpose
    List<Session> attempts = new ArrayList<>(creates);
    for (int i = 0; i < creates; i++) {
      String id = "ID" + ThreadLocalRandom.current().nextInt(ids);
      attempts.add(session(id, "speaker" + i, T0, HOUR));
    }
    List<Future<Boolean>> results =
        runConcurrently(16, creates, i -> store.create(attempts.get(i)));

    Map<String, Session> winners = new HashMap<>();
    for (int i = 0; i < creates; i++) {
      if (await(results.get(i))) {
        Session previous = winners.put(attempts.get(i).id(), attempts.get(i));
        assertThat(previous).as("second winner for " + attempts.get(i).id()).isNull();
      }
    }
    long distinctIds = attempts.stream().map(Session::id).distinct().count();
    assertThat(winners).hasSize((int) distinctIds);
    for (Session winner : winners.values()) {
      assertThat(await(store.get(winner.id()))).contains(winner);
      assertThat(await(store.findBySpeaker(winner.speakerUserId()))).containsExactly(winner);
    }
  }

  @Test
  void concurrentCreatesOverOneExpiredIdHaveOneWinner() throws Exception {
    await(store.create(session("ABC123", "old", T0, 10)));
    clock.advance(100);
    int n = 200;
    List<Future<Boolean>> results =
        runConcurrently(n, n, i -> store.create(session("ABC123", "s" + i, clock.millis(), HOUR)));
    int winner = -1;
    for (int i = 0; i < n; i++) {
      if (await(results.get(i))) {
        assertThat(winner).as("only one create may win").isEqualTo(-1);
        winner = i;
      }
    }
    assertThat(winner).isNotNegative();
    assertThat(await(store.get("ABC123")).map(Session::speakerUserId)).contains("s" + winner);
    assertThat(await(store.findBySpeaker("s" + winner))).hasSize(1);
    assertThat(await(store.findBySpeaker("old"))).isEmpty();
  }

  @Test
  void concurrentReplacesOfOneVersionHaveExactlyOneWinner() throws Exception {
    Session v1 = session("ABC123", "alice", T0, HOUR);
    await(store.create(v1));
    int n = 200;
    List<Future<Boolean>> results =
        runConcurrently(
            n,
            n,
            i ->
                store.replace(
                    1, v1.next(SessionStatus.PAUSED, "en", QualityTier.STANDARD, T0 + i)));
    int wins = 0;
    int winner = -1;
    for (int i = 0; i < n; i++) {
      if (await(results.get(i))) {
        wins++;
        winner = i;
      }
    }
    assertThat(wins).isEqualTo(1);
    Optional<Session> stored = await(store.get("ABC123"));
    assertThat(stored).isPresent();
    assertThat(stored.get().version()).isEqualTo(2);
    assertThat(stored.get().updatedAt()).isEqualTo(T0 + winner);
  }

  @Test
  void purgeExpiredDeletesOnlyExpiredSessions() {
    await(store.create(session("GONE01", "alice", T0, 1_000)));
    await(store.create(session("GONE02", "bob", T0, 2_000)));
    Session kept = session("KEPT01", "alice", T0, HOUR);
    await(store.create(kept));
    clock.set(T0 + 999);
    assertThat(await(store.purgeExpired(clock.millis()))).isZero();
    clock.set(T0 + 2_000);
    assertPurged(await(store.purgeExpired(clock.millis())), 2);
    assertThat(await(store.purgeExpired(clock.millis()))).isZero();
    assertThat(await(store.get("KEPT01"))).contains(kept);
    assertThat(await(store.findBySpeaker("alice"))).containsExactly(kept);
    assertThat(await(store.findBySpeaker("bob"))).isEmpty();
    // the purged ids are free, and their old owners do not see the new sessions
    Session reused = session("GONE02", "carol", T0, HOUR);
    assertThat(await(store.create(reused))).isTrue();
    assertThat(await(store.findBySpeaker("bob"))).isEmpty();
    assertThat(await(store.findBySpeaker("carol"))).containsExactly(reused);
  }

  @Test
  void anExpiryIsTakenOnceAndOnlyForASessionThatDidNotEnd() {
    Session open = session("OPEN01", "alice", T0, 1_000);
    Session ended = session("ENDS01", "bob", T0, 1_000);
    await(store.create(open));
    await(store.create(ended));
    assertThat(
            await(
                store.replace(
                    1, ended.next(SessionStatus.ENDED, "en", QualityTier.STANDARD, T0 + 10))))
        .isTrue();
    clock.set(T0 + 500);
    await(store.purgeExpired(clock.millis()));
    assertThat(await(store.takeExpired(clock.millis()))).isEmpty();
    clock.set(T0 + 1_000);
    await(store.purgeExpired(clock.millis()));
    assertThat(await(store.takeExpired(clock.millis()))).containsExactly("OPEN01");
    await(store.purgeExpired(clock.millis()));
    assertThat(await(store.takeExpired(clock.millis()))).isEmpty();
  }

  @Test
  void pingSucceedsOnAnOpenStore() {
    await(store.ping());
  }

  /**
   * Calls {@code action(i)} for every i in [0, count) from {@code threads} threads released
   * together, and returns the results by i.
   */
  protected static <T> List<T> runConcurrently(int threads, int count, IntFunction<T> action)
      throws Exception {
    AtomicReferenceArray<T> results = new AtomicReferenceArray<>(count);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int first = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = first; i < count; i += threads) {
                    results.set(i, action.apply(i));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (java.util.concurrent.Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<T> list = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      list.add(results.get(i));
    }
    return list;
  }
}
