package org.pentecost.server.store;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.pentecost.server.session.SummaryStore;

/**
 * {@link SummaryStore} in the embedded store's {@link HistoryFile}: one entry per field, keyed so
 * that a summary is one key range, and each session record's {@code expiresAt} for {@link
 * #purgeExpired}. Every call runs on the history file's one thread, so an update is applied whole
 * before the next one starts; what was written survives a restart (see {@link HistoryFile} for how
 * much a kill may lose).
 */
public final class EmbeddedSummaryStore implements SummaryStore {
  private static final char SEP = StoreFile.SEP;

  private final HistoryFile file;

  public EmbeddedSummaryStore(HistoryFile file) {
    this.file = file;
  }

  @Override
  public Future<Void> update(String sessionId, long createdAt, Change change, long expiresAt) {
    if (change.isEmpty()) {
      return Future.succeededFuture();
    }
    String session = HistoryFile.sessionKey(sessionId, createdAt);
    String from = session + SEP;
    return file.run(
        "summary update",
        () -> {
          MVMap<String, String> fields = file.summaries;
          file.summaryExpiry.put(session, Long.toString(expiresAt));
          change
              .add()
              .forEach(
                  (f, n) -> {
                    String current = fields.get(from + f);
                    long sum = (current == null ? 0 : Long.parseLong(current)) + n;
                    fields.put(from + f, Long.toString(sum));
                  });
          change
              .max()
              .forEach(
                  (f, n) -> {
                    String current = fields.get(from + f);
                    if (current == null || Long.parseLong(current) < n) {
                      fields.put(from + f, Long.toString(n));
                    }
                  });
          change.set().forEach((f, v) -> fields.put(from + f, v));
          return (Void) null;
        });
  }

  @Override
  public Future<Map<String, String>> read(String sessionId, long createdAt) {
    String from = HistoryFile.sessionKey(sessionId, createdAt) + SEP;
    return file.run(
        "summary read",
        () -> {
          Map<String, String> fields = new HashMap<>();
          for (Cursor<String, String> c = file.summaries.cursor(from); c.hasNext(); ) {
            String key = c.next();
            if (!key.startsWith(from)) {
              break;
            }
            fields.put(key.substring(from.length()), c.getValue());
          }
          return fields;
        });
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    return file.run(
        "summary purge",
        () -> {
          List<String> expired = new ArrayList<>();
          file.summaryExpiry.forEach(
              (session, expiresAt) -> {
                if (Long.parseLong(expiresAt) <= now) {
                  expired.add(session);
                }
              });
          for (String session : expired) {
            HistoryFile.deleteRange(file.summaries, session + SEP);
            file.summaryExpiry.remove(session);
          }
          if (!expired.isEmpty()) {
            file.compactAfterPurge();
          }
          return expired.size();
        });
  }
}
