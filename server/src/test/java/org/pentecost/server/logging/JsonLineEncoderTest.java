package org.pentecost.server.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pentecost.server.logging.LogField.kv;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.logstash.logback.argument.StructuredArguments;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.fieldnames.LogstashFieldNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MarkerFactory;

/**
 * The hand-written lines are the logstash encoder's lines, byte for byte: the same fields in the
 * same order, the same values and escaping (docs/operations.md documents these fields).
 */
class JsonLineEncoderTest {
  private final LoggerContext context = new LoggerContext();
  private final Logger access = context.getLogger("pentecost.access");
  private final JsonLineEncoder encoder = new JsonLineEncoder();
  private final LogstashEncoder reference = new LogstashEncoder();

  @BeforeEach
  void start() {
    encoder.setContext(context);
    encoder.start();
    // the logstash encoder as logback.xml configured it before JsonLineEncoder
    reference.setContext(context);
    reference.setTimestampPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX");
    reference.setTimeZone("UTC");
    LogstashFieldNames names = new LogstashFieldNames();
    names.setVersion("[ignore]");
    names.setLevelValue("[ignore]");
    reference.setFieldNames(names);
    reference.start();
  }

  @AfterEach
  void stop() {
    encoder.stop();
    reference.stop();
  }

  @Test
  void anAccessLineHasTheFieldsTheLogstashEncoderWrote() throws Exception {
    LoggingEvent event =
        event(
            access,
            Level.INFO,
            "{} {} {} {}ms",
            Map.of("correlationId", "3f1c-corr"),
            kv("method", "GET"),
            kv("path", "/sessions/genuine-dayspring-710"),
            kv("status", 200),
            kv("durationMs", 3L),
            kv("route", "/sessions/:id"),
            kv("bytes", 412L),
            kv("remote", "127.0.0.1"));
    String line = same(event);
    assertThat(encoder.fastLine(event)).as("written by hand").isEqualTo(line);
    Map<String, Object> fields = fields(line);
    assertThat(fields.keySet())
        .containsExactly(
            "@timestamp",
            "message",
            "logger_name",
            "thread_name",
            "level",
            "correlationId",
            "method",
            "path",
            "status",
            "durationMs",
            "route",
            "bytes",
            "remote");
    assertThat(fields)
        .containsEntry(
            "message", "method=GET path=/sessions/genuine-dayspring-710 status=200 durationMs=3ms")
        .containsEntry("logger_name", "pentecost.access")
        .containsEntry("level", "INFO")
        .containsEntry("status", 200)
        .containsEntry("bytes", 412)
        .containsEntry("route", "/sessions/:id");
    assertThat((String) fields.get("@timestamp"))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(line).endsWith("}\n");
  }

  @Test
  void awkwardCharactersAreEscapedTheSameWay() throws Exception {
    String path =
        "/sessions/\"quoted\"\\back\tslash\n\r\b\f\u0001\u001f\u007f/é/日本/\uD83D\uDE00/</script>";
    same(event(access, Level.INFO, "{} {}", Map.of(), kv("path", path), kv("remote", null)));
    same(event(access, Level.WARN, "no arguments \"{}\" here\u0002", Map.of("a\"b", "c\nd")));
    same(event(access, Level.INFO, "{} and {} and {}", Map.of(), kv("only", true), kv("two", -7)));
    same(event(access, Level.INFO, "one {}", Map.of(), kv("a", 1), kv("b", Long.MAX_VALUE)));
  }

  @Test
  void everyOtherLineIsTheLogstashEncodersOwn() throws Exception {
    Logger other = context.getLogger("org.pentecost.server.Something");
    same(event(other, Level.INFO, "plain {} argument", Map.of(), "text"));
    same(
        event(
            other,
            Level.INFO,
            "logstash {}",
            Map.of(),
            StructuredArguments.kv("k", List.of(1, 2))));
    same(event(other, Level.INFO, "a field of a list {}", Map.of(), kv("k", List.of(1, 2))));
    same(event(other, Level.INFO, "escaped \\{} {}", Map.of(), kv("k", "v")));
    same(event(other, Level.INFO, "lone \uD800 surrogate {}", Map.of(), kv("k", "\uDC00")));
    LoggingEvent failed = event(other, Level.ERROR, "failed {}", Map.of(), kv("k", "v"));
    failed.setThrowableProxy(
        new ch.qos.logback.classic.spi.ThrowableProxy(new IllegalStateException("boom")));
    same(failed);
    LoggingEvent marked = event(other, Level.INFO, "marked", Map.of());
    marked.addMarker(MarkerFactory.getMarker("AUDIT"));
    same(marked);
  }

  @Test
  void theTimeIsFormattedPerSecondWithItsMilliseconds() throws Exception {
    for (long millis : new long[] {0L, 999L, 1_000L, 1_764_762_000_007L, 1_764_762_000_070L}) {
      LoggingEvent e = event(access, Level.INFO, "{}", Map.of(), kv("x", "y"));
      e.setTimeStamp(millis);
      String line = same(e);
      assertThat(line).contains("\"@timestamp\":\"");
    }
  }

  /** Encodes with both encoders, asserts the bytes are the same, returns the line. */
  private String same(LoggingEvent event) {
    String expected = new String(reference.encode(event), StandardCharsets.UTF_8);
    String actual = new String(encoder.encode(event), StandardCharsets.UTF_8);
    assertThat(actual).isEqualTo(expected);
    return actual;
  }

  private static LoggingEvent event(
      Logger logger, Level level, String message, Map<String, String> mdc, Object... args) {
    LoggingEvent e =
        new LoggingEvent(
            Logger.class.getName(), logger, level, message, null, args.length == 0 ? null : args);
    e.setThreadName("vert.x-eventloop-thread-0");
    e.setMDCPropertyMap(new LinkedHashMap<>(mdc));
    return e;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> fields(String line) throws Exception {
    return new ObjectMapper().readValue(line, LinkedHashMap.class);
  }
}
