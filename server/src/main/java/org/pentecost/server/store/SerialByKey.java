package org.pentecost.server.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs the changes of one key one at a time, in the order they were queued, each with the key's
 * state; different keys run independently. A change is asynchronous: the next one starts when its
 * future completes. A key's state is kept while changes are queued for it or it is not idle.
 *
 * @param <S> the per-key state, touched only by the running change (and read by {@link #forEach})
 */
final class SerialByKey<S> {
  private final Vertx vertx;
  private final Supplier<S> newState;
  private final Predicate<S> idle;
  private final ConcurrentHashMap<String, Entry<S>> entries = new ConcurrentHashMap<>();

  private static final class Entry<S> {
    final S state;
    Future<?> tail = Future.succeededFuture(); // guarded by the map's lock on this entry
    int queued; // changes queued or running; guarded by the map's lock on this entry

    Entry(S state) {
      this.state = state;
    }
  }

  SerialByKey(Vertx vertx, Supplier<S> newState, Predicate<S> idle) {
    this.vertx = vertx;
    this.newState = newState;
    this.idle = idle;
  }

  /** Queues {@code change} after every change of {@code key} queued before it. */
  <T> Future<T> run(String key, Function<S, Future<T>> change) {
    Promise<Void> turn = Promise.promise();
    Object[] entryAndPrevious = new Object[2];
    entries.compute(
        key,
        (k, existing) -> {
          Entry<S> e = existing != null ? existing : new Entry<>(newState.get());
          entryAndPrevious[0] = e;
          entryAndPrevious[1] = e.tail;
          e.tail = turn.future();
          e.queued++;
          return e;
        });
    @SuppressWarnings("unchecked")
    Entry<S> entry = (Entry<S>) entryAndPrevious[0];
    Future<?> previous = (Future<?>) entryAndPrevious[1];
    Promise<T> result = Promise.promise();
    previous.onComplete(
        ignored -> {
          Future<T> outcome;
          try {
            outcome = change.apply(entry.state);
          } catch (RuntimeException e) {
            outcome = Future.failedFuture(e);
          }
          Future<T> done = outcome;
          Runnable finish =
              () -> {
                release(key);
                turn.complete();
                result.handle(done);
              };
          if (done.isComplete()) {
            // a change that needed no round trip: end the turn later, so that a long queue of
            // them does not run as one deep recursion
            vertx.runOnContext(v -> finish.run());
          } else {
            done.onComplete(ar -> finish.run());
          }
        });
    return result.future();
  }

  /** The keys that have state now. */
  Set<String> keys() {
    return entries.keySet();
  }

  /** Every key's state now (weakly consistent, like the map's iteration). */
  void forEach(BiConsumer<String, S> action) {
    entries.forEach((key, entry) -> action.accept(key, entry.state));
  }

  private void release(String key) {
    entries.computeIfPresent(key, (k, e) -> --e.queued == 0 && idle.test(e.state) ? null : e);
  }
}
