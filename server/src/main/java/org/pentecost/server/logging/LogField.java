package org.pentecost.server.logging;

import net.logstash.logback.marker.ObjectAppendingMarker;

/**
 * A structured field of a log line, {@code key=value} in the message and a JSON field of its own:
 * the logstash encoder's {@code kv(...)}, whose value {@link JsonLineEncoder} can read without
 * going through a JSON generator.
 */
public final class LogField extends ObjectAppendingMarker {
  private static final long serialVersionUID = 1L;

  private LogField(String key, Object value) {
    super(key, value);
  }

  /** The field {@code key} with {@code value}. */
  public static LogField kv(String key, Object value) {
    return new LogField(key, value);
  }

  /** The field's value as given. */
  public Object value() {
    return getFieldValue();
  }
}
