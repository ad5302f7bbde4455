package org.pentecost.server.store;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pentecost.server.session.TranscriptLine;
import org.pentecost.server.session.TranscriptStore;

/**
 * {@link TranscriptStore} in the memory of one node: a restart loses the transcripts. The embedded
 * store uses it only when no {@link HistoryFile} can be used (a full disk at start); tests use it.
 * Each session's transcripts change under their own lock; futures are already completed when
 * returned.
 */
public final class MemoryTranscriptStore implements TranscriptStore {

  /** The transcripts of one session record, by language. */
  private static final class Session {
    final long expiresAt;
    final Map<String, List<TranscriptLine>> lines = new HashMap<>();
    final Map<String, Long> chars = new HashMap<>();

    Session(long expiresAt) {
      this.expiresAt = expiresAt;
    }
  }

  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

  private static String key(String sessionId, long createdAt) {
    return sessionId + "|" + createdAt;
  }

  @Override
  public Future<Boolean> append(
      String sessionId,
      long createdAt,
      String language,
      TranscriptLine line,
      long expiresAt,
      Limits limits) {
    Session s = sessions.computeIfAbsent(key(sessionId, createdAt), k -> new Session(expiresAt));
    synchronized (s) {
      List<TranscriptLine> kept = s.lines.computeIfAbsent(language, l -> new ArrayList<>());
      long used = s.chars.getOrDefault(language, 0L);
      if (kept.size() >= limits.maxLines() || used + line.text().length() > limits.maxChars()) {
        return Future.succeededFuture(false);
      }
      kept.add(line);
      s.chars.put(language, used + line.text().length());
      return Future.succeededFuture(true);
    }
  }

  @Override
  public Future<List<TranscriptLine>> lines(String sessionId, long createdAt, String language) {
    Session s = sessions.get(key(sessionId, createdAt));
    if (s == null) {
      return Future.succeededFuture(List.of());
    }
    synchronized (s) {
      return Future.succeededFuture(List.copyOf(s.lines.getOrDefault(language, List.of())));
    }
  }

  @Override
  public Future<List<String>> languages(String sessionId, long createdAt) {
    Session s = sessions.get(key(sessionId, createdAt));
    if (s == null) {
      return Future.succeededFuture(List.of());
    }
    synchronized (s) {
      return Future.succeededFuture(
          s.lines.entrySet().stream()
              .filter(e -> !e.getValue().isEmpty())
              .map(Map.Entry::getKey)
              .toList());
    }
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    int before = sessions.size();
    sessions.values().removeIf(s -> s.expiresAt <= now);
    return Future.succeededFuture(Math.max(0, before - sessions.size()));
  }
}
