package org.pentecost.server.logging;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A log line's time as {@code yyyy-MM-dd'T'HH:mm:ss.SSSZ} in UTC (the {@code @timestamp} the
 * logstash encoder writes with Pentecost's pattern), formatted once per second: within a second
 * only the milliseconds change. Safe for any thread.
 */
final class UtcTimestamps {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);

  /** The second last formatted and its text; replaced whole, never changed. */
  private record Second(long epochSecond, String text) {}

  private volatile Second last = new Second(Long.MIN_VALUE, "");

  /** Appends the time of {@code epochMillis} to {@code out}. */
  void append(long epochMillis, StringBuilder out) {
    long second = Math.floorDiv(epochMillis, 1000);
    int millis = (int) Math.floorMod(epochMillis, 1000);
    Second s = last;
    if (s.epochSecond != second) {
      s = new Second(second, SECONDS.format(Instant.ofEpochSecond(second)));
      last = s;
    }
    out.append(s.text);
    if (millis < 100) {
      out.append('0');
    }
    if (millis < 10) {
      out.append('0');
    }
    out.append(millis).append('Z');
  }
}
