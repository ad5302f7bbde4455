package org.pentecost.server.store;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pentecost.server.session.ListenerCountStore;

/**
 * {@link ListenerCountStore} in the memory of one node. Every change of a session's counts runs in
 * {@link ConcurrentHashMap#compute}, which serialises changes per session, so the capacity check
 * and the update are one atomic step. Each change builds a new immutable snapshot: readers never
 * see a half-applied move. Futures are already completed when returned. Demand changes are told
 * from inside that step.
 */
public final class MemoryListenerCountStore implements ListenerCountStore {

  /** Non-zero counts of one session; {@code total} is their sum. */
  private record Counts(Map<String, Integer> byLanguage, int total) {
    static final Counts EMPTY = new Counts(Map.of(), 0);

    Counts plus(String language, int delta) {
      Map<String, Integer> next = new HashMap<>(byLanguage);
      int count = next.getOrDefault(language, 0) + delta;
      if (count == 0) {
        next.remove(language);
      } else {
        next.put(language, count);
      }
      return new Counts(Map.copyOf(next), total + delta);
    }

    int of(String language) {
      return byLanguage.getOrDefault(language, 0);
    }
  }

  private final ConcurrentHashMap<String, Counts> sessions = new ConcurrentHashMap<>();
  private volatile DemandListener demand = DemandListener.NONE;

  @Override
  public void onDemandChange(DemandListener listener) {
    this.demand = listener;
  }

  @Override
  public Future<Boolean> tryAdd(String sessionId, String language, int capacity) {
    boolean[] added = {false};
    sessions.compute(
        sessionId,
        (id, counts) -> {
          Counts current = counts == null ? Counts.EMPTY : counts;
          if (current.total() >= capacity) {
            return counts;
          }
          added[0] = true;
          // told inside the atomic step: transitions of one session reach it in order
          if (current.of(language) == 0) {
            demand.changed(sessionId, language, true);
          }
          return current.plus(language, 1);
        });
    return Future.succeededFuture(added[0]);
  }

  @Override
  public Future<Void> remove(String sessionId, String language) {
    sessions.computeIfPresent(
        sessionId,
        (id, counts) -> {
          if (counts.of(language) == 0) {
            return counts;
          }
          if (counts.of(language) == 1) {
            demand.changed(sessionId, language, false);
          }
          Counts next = counts.plus(language, -1);
          return next.total() == 0 ? null : next;
        });
    return Future.succeededFuture();
  }

  /** A move out of a language nobody listens in is ignored, like {@link #remove}. */
  @Override
  public Future<Void> move(String sessionId, String fromLanguage, String toLanguage) {
    if (fromLanguage.equals(toLanguage)) {
      return Future.succeededFuture();
    }
    sessions.computeIfPresent(
        sessionId,
        (id, counts) -> {
          if (counts.of(fromLanguage) == 0) {
            return counts;
          }
          if (counts.of(fromLanguage) == 1) {
            demand.changed(sessionId, fromLanguage, false);
          }
          if (counts.of(toLanguage) == 0) {
            demand.changed(sessionId, toLanguage, true);
          }
          return counts.plus(fromLanguage, -1).plus(toLanguage, 1);
        });
    return Future.succeededFuture();
  }

  @Override
  public Future<Map<String, Integer>> counts(String sessionId) {
    Counts counts = sessions.get(sessionId);
    return Future.succeededFuture(counts == null ? Map.of() : counts.byLanguage());
  }

  @Override
  public Future<Void> clear(String sessionId) {
    sessions.remove(sessionId);
    return Future.succeededFuture();
  }
}
