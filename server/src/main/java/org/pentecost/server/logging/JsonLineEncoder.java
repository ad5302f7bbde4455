package org.pentecost.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.fieldnames.LogstashFieldNames;
import org.slf4j.Marker;

/**
 * The log's encoder: JSON lines exactly as the logstash encoder writes them with Pentecost's
 * settings (UTC timestamps {@code yyyy-MM-dd'T'HH:mm:ss.SSSX}; no {@code @version}, no {@code
 * level_value}), written by hand for the lines that are written most: no exception, no marker, and
 * structured arguments that are all {@link LogField}s of plain values (the access line of every
 * HTTP request). Every other line goes to the logstash encoder itself. The fields, their order and
 * the escaping are the same either way ({@code JsonLineEncoderTest} compares them); the
 * hand-written path skips the logstash encoder's date formatter, message formatter and JSON
 * generator, which took about a fifth of an event loop serving {@code GET /sessions/{id}}
 * (docs/benchmarks.md).
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
  private static final byte[] NO_BYTES = new byte[0];
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final LogstashEncoder logstash = new LogstashEncoder();
  private final ThreadLocal<StringBuilder> lines =
      ThreadLocal.withInitial(() -> new StringBuilder(512));
  private final UtcTimestamps timestamps = new UtcTimestamps();

  /** Whether the context has properties: the logstash encoder writes them, the fast path not. */
  private boolean contextProperties;

  public JsonLineEncoder() {
    logstash.setTimestampPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX");
    logstash.setTimeZone("UTC");
    LogstashFieldNames names = new LogstashFieldNames();
    names.setVersion("[ignore]");
    names.setLevelValue("[ignore]");
    logstash.setFieldNames(names);
  }

  @Override
  public void start() {
    logstash.setContext(getContext());
    logstash.start();
    contextProperties = getContext() != null && !getContext().getCopyOfPropertyMap().isEmpty();
    super.start();
  }

  @Override
  public void stop() {
    logstash.stop();
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return NO_BYTES;
  }

  @Override
  public byte[] footerBytes() {
    return NO_BYTES;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    String line = contextProperties ? null : fastLine(event);
    return line == null ? logstash.encode(event) : line.getBytes(StandardCharsets.UTF_8);
  }

  /** The line written by hand, or null when the event needs the logstash encoder. */
  String fastLine(ILoggingEvent event) {
    if (event.getThrowableProxy() != null || hasMarkers(event.getMarkerList())) {
      return null;
    }
    List<?> pairs = event.getKeyValuePairs();
    if (pairs != null && !pairs.isEmpty()) {
      return null;
    }
    Object[] args = event.getArgumentArray();
    if (args != null) {
      for (Object arg : args) {
        if (!(arg instanceof LogField field) || !plain(field.value())) {
          return null;
        }
      }
    }
    String pattern = event.getMessage();
    if (pattern == null || (args != null && pattern.indexOf('\\') >= 0)) {
      return null; // escaped placeholders: leave them to logback's formatter
    }
    StringBuilder out = lines.get();
    out.setLength(0);
    out.append("{\"@timestamp\":\"");
    timestamps.append(event.getTimeStamp(), out);
    out.append("\",\"message\":");
    if (pattern == null || !appendMessage(out, pattern, args)) {
      return null;
    }
    if (!field(out, "logger_name", event.getLoggerName())
        || !field(out, "thread_name", event.getThreadName())) {
      return null;
    }
    out.append(",\"level\":\"").append(event.getLevel().toString()).append('"');
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc != null) {
      for (Map.Entry<String, String> entry : mdc.entrySet()) {
        if (!field(out, entry.getKey(), entry.getValue())) {
          return null;
        }
      }
    }
    if (args != null) {
      for (Object arg : args) {
        LogField f = (LogField) arg;
        out.append(',');
        if (!string(out, f.getFieldName())) {
          return null;
        }
        out.append(':');
        if (!value(out, f.value())) {
          return null;
        }
      }
    }
    out.append("}\n");
    String line = out.toString();
    if (out.capacity() > 16 * 1024) {
      lines.remove(); // one huge line does not keep a huge buffer per thread
    }
    return line;
  }

  private static boolean hasMarkers(List<Marker> markers) {
    return markers != null && !markers.isEmpty();
  }

  private static boolean plain(Object value) {
    return value == null
        || value instanceof String
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Boolean;
  }

  /**
   * The message as SLF4J formats it, as a JSON string: each {@code {}} takes the next argument's
   * {@code key=value}; placeholders without an argument stay as they are, extra arguments are left
   * out.
   */
  private static boolean appendMessage(StringBuilder out, String pattern, Object[] args) {
    out.append('"');
    int from = 0;
    if (args != null) {
      for (Object arg : args) {
        int at = pattern.indexOf("{}", from);
        if (at < 0) {
          break;
        }
        LogField field = (LogField) arg;
        if (!escape(out, pattern.subSequence(from, at))
            || !escape(out, field.getFieldName())
            || !escape(out, "=")
            || !escape(out, String.valueOf(field.value()))) {
          return false;
        }
        from = at + 2;
      }
    }
    if (!escape(out, from == 0 ? pattern : pattern.subSequence(from, pattern.length()))) {
      return false;
    }
    out.append('"');
    return true;
  }

  private static boolean field(StringBuilder out, String name, String value) {
    out.append(',');
    if (!string(out, name)) {
      return false;
    }
    out.append(':');
    if (value == null) {
      out.append("null");
      return true;
    }
    return string(out, value);
  }

  private static boolean value(StringBuilder out, Object value) {
    if (value == null || value instanceof Number || value instanceof Boolean) {
      out.append(value);
      return true;
    }
    return string(out, (String) value);
  }

  /** {@code s} as a JSON string, see {@link #escape}. */
  private static boolean string(StringBuilder out, CharSequence s) {
    out.append('"');
    if (!escape(out, s)) {
      return false;
    }
    out.append('"');
    return true;
  }

  /**
   * Appends {@code s} escaped as Jackson escapes it: {@code "} and {@code \}, the control
   * characters ({@code \b \t \n \f \r} short, the others, and both halves of a surrogate pair, as
   * six-character {@code uXXXX} escapes); runs that need none are copied at once. False on a lone
   * surrogate, which the logstash encoder handles its own way.
   */
  private static boolean escape(StringBuilder out, CharSequence s) {
    int n = s.length();
    int run = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) {
        continue;
      }
      out.append(s, run, i);
      if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c)
            || i + 1 >= n
            || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        unicode(out, c);
        unicode(out, s.charAt(++i)); // as Jackson writes a pair to UTF-8: two escapes
      } else {
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\b' -> out.append("\\b");
          case '\t' -> out.append("\\t");
          case '\n' -> out.append("\\n");
          case '\f' -> out.append("\\f");
          case '\r' -> out.append("\\r");
          default -> unicode(out, c);
        }
      }
      run = i + 1;
    }
    out.append(s, run, n);
    return true;
  }

  private static void unicode(StringBuilder out, char c) {
    out.append("\\u")
        .append(HEX[(c >> 12) & 0xF])
        .append(HEX[(c >> 8) & 0xF])
        .append(HEX[(c >> 4) & 0xF])
        .append(HEX[c & 0xF]);
  }
}
