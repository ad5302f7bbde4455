package org.pentecost.server.store;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pentecost.server.session.SummaryStore;

/**
 * {@link SummaryStore} in the memory of one node: a restart loses the summaries. The embedded store
 * uses it only when no {@link HistoryFile} can be used (a full disk at start); tests use it. Each
 * update runs under its summary's lock; futures are already completed when returned.
 */
public final class MemorySummaryStore implements SummaryStore {
  private record Entry(Map<String, String> fields, long[] expiresAt) {}

  private final ConcurrentHashMap<String, Entry> summaries = new ConcurrentHashMap<>();

  private static String key(String sessionId, long createdAt) {
    return sessionId + "|" + createdAt;
  }

  @Override
  public Future<Void> update(String sessionId, long createdAt, Change change, long expiresAt) {
    Entry e =
        summaries.computeIfAbsent(
            key(sessionId, createdAt), k -> new Entry(new HashMap<>(), new long[] {expiresAt}));
    synchronized (e) {
      e.expiresAt()[0] = expiresAt;
      change
          .add()
          .forEach((f, n) -> e.fields().merge(f, Long.toString(n), MemorySummaryStore::sum));
      change
          .max()
          .forEach(
              (f, n) -> {
                String current = e.fields().get(f);
                if (current == null || Long.parseLong(current) < n) {
                  e.fields().put(f, Long.toString(n));
                }
              });
      e.fields().putAll(change.set());
    }
    return Future.succeededFuture();
  }

  private static String sum(String a, String b) {
    return Long.toString(Long.parseLong(a) + Long.parseLong(b));
  }

  @Override
  public Future<Map<String, String>> read(String sessionId, long createdAt) {
    Entry e = summaries.get(key(sessionId, createdAt));
    if (e == null) {
      return Future.succeededFuture(Map.of());
    }
    synchronized (e) {
      return Future.succeededFuture(Map.copyOf(e.fields()));
    }
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    int before = summaries.size();
    summaries.values().removeIf(e -> e.expiresAt()[0] <= now);
    return Future.succeededFuture(Math.max(0, before - summaries.size()));
  }
}
