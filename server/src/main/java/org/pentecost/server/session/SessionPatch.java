package org.pentecost.server.session;

/** The fields a PATCH may change; null leaves a field as it is. Values are already validated. */
public record SessionPatch(SessionStatus status, String sourceLanguage, QualityTier qualityTier) {

  public boolean isEmpty() {
    return status == null && sourceLanguage == null && qualityTier == null;
  }
}
