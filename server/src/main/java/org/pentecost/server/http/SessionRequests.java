package org.pentecost.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.session.QualityTier;
import org.pentecost.server.session.SessionPatch;
import org.pentecost.server.session.SessionStatus;

/**
 * Reads the bodies of {@code POST /sessions} and {@code PATCH /sessions/{id}}: the request, or an
 * {@link ApiException} with a 400 code of docs/http-api.md. Nothing else is thrown, whatever the
 * bytes. The language is checked against the supported list by the session service.
 */
final class SessionRequests {
  static final Set<String> CREATE_FIELDS =
      new LinkedHashSet<>(List.of("sourceLanguage", "qualityTier", "transcriptPublic"));
  static final Set<String> PATCH_FIELDS =
      new LinkedHashSet<>(List.of("status", "sourceLanguage", "qualityTier", "transcriptPublic"));

  private SessionRequests() {}

  /**
   * What {@code POST /sessions} asks for; {@code qualityTier} defaults to standard, {@code
   * transcriptPublic} to false.
   */
  record Create(String sourceLanguage, QualityTier qualityTier, boolean transcriptPublic) {}

  static Create create(byte[] body) {
    ObjectNode fields = JsonBodies.object(body, CREATE_FIELDS);
    String language = JsonBodies.string(fields, "sourceLanguage");
    if (language == null) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "'sourceLanguage' is required");
    }
    String tierText = JsonBodies.string(fields, "qualityTier");
    return new Create(
        language,
        tierText == null ? QualityTier.STANDARD : tier(tierText),
        Boolean.TRUE.equals(JsonBodies.bool(fields, "transcriptPublic")));
  }

  /** What {@code PATCH /sessions/{id}} asks for; may be empty (the service refuses that). */
  static SessionPatch patch(byte[] body) {
    ObjectNode fields = JsonBodies.object(body, PATCH_FIELDS);
    String statusText = JsonBodies.string(fields, "status");
    SessionStatus status = null;
    if (statusText != null) {
      status = SessionStatus.fromWire(statusText);
      if (status == null) {
        throw new ApiException(
            ErrorCode.INVALID_REQUEST, "'status' must be active, paused or ended");
      }
    }
    String tierText = JsonBodies.string(fields, "qualityTier");
    return new SessionPatch(
        status,
        JsonBodies.string(fields, "sourceLanguage"),
        tierText == null ? null : tier(tierText),
        JsonBodies.bool(fields, "transcriptPublic"));
  }

  private static QualityTier tier(String text) {
    QualityTier tier = QualityTier.fromWire(text);
    if (tier == null) {
      throw new ApiException(
          ErrorCode.INVALID_QUALITY_TIER, "'qualityTier' must be standard or premium");
    }
    return tier;
  }
}
