package org.pentecost.server.session;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A session's lifecycle: {@code active ⇄ paused → ended}; ended is final. */
public enum SessionStatus {
  ACTIVE,
  PAUSED,
  ENDED;

  /** Whether a session in this status may move to {@code next}. Staying put is not a transition. */
  public boolean canMoveTo(SessionStatus next) {
    return switch (this) {
      case ACTIVE -> next == PAUSED || next == ENDED;
      case PAUSED -> next == ACTIVE || next == ENDED;
      case ENDED -> false;
    };
  }

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the wire name; returns null for anything else. */
  @JsonCreator
  public static SessionStatus fromWire(String value) {
    for (SessionStatus s : values()) {
      if (s.wireName().equals(value)) {
        return s;
      }
    }
    return null;
  }
}
