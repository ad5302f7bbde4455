package org.pentecost.server.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the contracts of the session history's stores (transcripts, summaries) share: a fresh store
 * on its own Vert.x per test, and records that expire in an hour.
 *
 * @param <S> the port under test
 */
abstract class HistoryStoreContract<S> {
  protected Vertx vertx;
  protected S store;

  /** A new, empty store using {@code vertx}. */
  protected abstract S newStore(Vertx vertx);

  @BeforeEach
  void startStore() {
    vertx = Vertx.vertx();
    store = newStore(vertx);
  }

  @AfterEach
  void stopVertx() {
    SessionStoreContract.await(vertx.close());
  }

  static <T> T await(Future<T> future) {
    return SessionStoreContract.await(future);
  }

  /** An expiry an hour from now. */
  static long later() {
    return System.currentTimeMillis() + 3_600_000;
  }
}
