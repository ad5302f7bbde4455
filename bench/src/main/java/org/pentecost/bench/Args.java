package org.pentecost.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for command-line values: durations, rates and comma-separated lists. */
final class Args {
  private Args() {}

  private static final Pattern DURATION =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

  /**
   * A duration such as {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, a plain number of
   * seconds, or ISO-8601 ({@code PT30S}).
   */
  static Duration duration(String text) {
    String t = text.trim();
    if (t.toUpperCase(Locale.ROOT).startsWith("PT")) {
      return Duration.parse(t.toUpperCase(Locale.ROOT));
    }
    Matcher m = DURATION.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a duration: '" + text + "' (examples: 500ms, 10s, 2m, 1h)");
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
    double millis =
        switch (unit) {
          case "ms" -> value;
          case "s" -> value * 1_000;
          case "m" -> value * 60_000;
          default -> value * 3_600_000;
        };
    return Duration.ofMillis(Math.round(millis));
  }

  /** A rate in connections per second: {@code 500/s}, {@code 500}; {@code 0} = unlimited. */
  static double rate(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("/s")) {
      t = t.substring(0, t.length() - 2).trim();
    }
    double value;
    try {
      value = Double.parseDouble(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a rate: '" + text + "' (examples: 500/s, 0)", e);
    }
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("a rate must be 0 (unlimited) or positive: " + text);
    }
    return value;
  }

  /** Comma-separated values, trimmed, empty ones dropped. */
  static List<String> list(String text) {
    List<String> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    for (String part : text.split(",")) {
      String p = part.trim();
      if (!p.isEmpty()) {
        out.add(p);
      }
    }
    return out;
  }
}
