package org.pentecost.server.session;

import java.util.Map;

/**
 * A session as shown to clients: the stored record without the speaker's identity, plus live
 * listener counts.
 */
public record SessionView(
    String sessionId,
    String sourceLanguage,
    QualityTier qualityTier,
    SessionStatus status,
    int listenerCount,
    Map<String, Integer> listenersByLanguage,
    long createdAt,
    long updatedAt,
    long expiresAt,
    boolean transcriptPublic) {

  public static SessionView of(Session s, Map<String, Integer> counts) {
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    return new SessionView(
        s.id(),
        s.sourceLanguage(),
        s.qualityTier(),
        s.status(),
        total,
        Map.copyOf(counts),
        s.createdAt(),
        s.updatedAt(),
        s.expiresAt(),
        s.transcriptPublic());
  }
}
