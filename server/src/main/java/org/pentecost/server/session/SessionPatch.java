package org.pentecost.server.session;

import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.error.ApiException;

/** The fields a PATCH may change; null leaves a field as it is. Values are already validated. */
public record SessionPatch(
    SessionStatus status,
    String sourceLanguage,
    QualityTier qualityTier,
    Boolean transcriptPublic) {

  /**
   * The session's next state at {@code now} with {@code language} (the canonical form of the
   * patch's, or null), or {@code current} itself when the patch changes nothing; an invalid
   * transition is refused.
   */
  Session applyTo(Session current, String language, long now) {
    if (current.status() == SessionStatus.ENDED) {
      // after the end, only who may read the transcripts can change
      boolean onlyTranscript =
          (status == null || status == SessionStatus.ENDED)
              && sourceLanguage == null
              && qualityTier == null
              && transcriptPublic != null;
      if (!onlyTranscript) {
        throw new ApiException(ErrorCode.INVALID_TRANSITION, "the session has ended");
      }
      return transcriptPublic == current.transcriptPublic()
          ? current
          : current.next(
              current.status(),
              current.sourceLanguage(),
              current.qualityTier(),
              transcriptPublic,
              now);
    }
    SessionStatus next = status == null ? current.status() : status;
    if (next != current.status() && !current.status().canMoveTo(next)) {
      throw new ApiException(
          ErrorCode.INVALID_TRANSITION,
          "cannot move from " + current.status().wireName() + " to " + next.wireName());
    }
    String lang = language == null ? current.sourceLanguage() : language;
    QualityTier tier = qualityTier == null ? current.qualityTier() : qualityTier;
    boolean open = transcriptPublic == null ? current.transcriptPublic() : transcriptPublic;
    if (next == current.status()
        && lang.equals(current.sourceLanguage())
        && tier == current.qualityTier()
        && open == current.transcriptPublic()) {
      return current;
    }
    return current.next(next, lang, tier, open, now);
  }

  public boolean isEmpty() {
    return status == null
        && sourceLanguage == null
        && qualityTier == null
        && transcriptPublic == null;
  }
}
