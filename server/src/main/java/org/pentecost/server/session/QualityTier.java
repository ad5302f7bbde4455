package org.pentecost.server.session;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Audio quality a session was created for. */
public enum QualityTier {
  STANDARD,
  PREMIUM;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the wire name; returns null for anything else. */
  @JsonCreator
  public static QualityTier fromWire(String value) {
    for (QualityTier t : values()) {
      if (t.wireName().equals(value)) {
        return t;
      }
    }
    return null;
  }
}
