package org.pentecost.server.session;

/**
 * A broadcast session as stored. Times are epoch milliseconds. {@code version} starts at 1 and
 * grows by one with every stored change; stores use it for compare-and-set.
 *
 * <p>Listener counts are not part of the stored record: they live in the {@code
 * ListenerCountStore}, which changes far more often. {@code transcriptPublic}: anyone may read the
 * session's transcripts, not only its speaker (false in records stored before the field existed).
 */
public record Session(
    String id,
    String speakerUserId,
    String sourceLanguage,
    QualityTier qualityTier,
    SessionStatus status,
    long createdAt,
    long updatedAt,
    long expiresAt,
    long version,
    boolean transcriptPublic) {

  /** True once {@code now} has reached {@link #expiresAt()}. */
  public boolean isExpired(long now) {
    return now >= expiresAt;
  }

  /**
   * True if {@code other} is a version of this same session, not another session that was given the
   * same code later (a code is free again once its session expired or its record was lost).
   */
  public boolean sameSessionAs(Session other) {
    return id.equals(other.id)
        && speakerUserId.equals(other.speakerUserId)
        && createdAt == other.createdAt;
  }

  /** The next version of this session with the given fields changed, the rest as they are. */
  public Session next(
      SessionStatus newStatus, String newSourceLanguage, QualityTier newQualityTier, long now) {
    return next(newStatus, newSourceLanguage, newQualityTier, transcriptPublic, now);
  }

  /** The next version of this session with the given fields changed. */
  public Session next(
      SessionStatus newStatus,
      String newSourceLanguage,
      QualityTier newQualityTier,
      boolean newTranscriptPublic,
      long now) {
    return new Session(
        id,
        speakerUserId,
        newSourceLanguage,
        newQualityTier,
        newStatus,
        createdAt,
        now,
        expiresAt,
        version + 1,
        newTranscriptPublic);
  }
}
