package org.pentecost.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses human durations: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 24h}, {@code 7d}, or
 * ISO-8601.
 */
public final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  public static Duration parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SIMPLE.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "not a duration: '" + text + "' (use e.g. 500ms, 30s, 10m, 24h, 7d or PT30S)", e);
    }
  }

  /** A Jackson module that reads durations in the forms above. */
  public static SimpleModule jacksonModule() {
    SimpleModule module = new SimpleModule("pentecost-durations");
    module.addDeserializer(
        Duration.class,
        new JsonDeserializer<>() {
          @Override
          public Duration deserialize(JsonParser p, DeserializationContext ctxt)
              throws IOException {
            if (p.currentToken().isNumeric()) {
              return Duration.ofMillis(p.getLongValue());
            }
            try {
              return parse(p.getText());
            } catch (IllegalArgumentException e) {
              return (Duration)
                  ctxt.handleWeirdStringValue(Duration.class, p.getText(), e.getMessage());
            }
          }
        });
    return module;
  }
}
