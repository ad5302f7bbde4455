package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.TestServer;
import org.slf4j.LoggerFactory;

/** What the logs say about a request: its correlation id always, a token never. */
class LoggingIT {
  @TempDir Path dir;
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Logger root;

  @BeforeEach
  void capture() {
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    captured.start();
    root.addAppender(captured);
  }

  @AfterEach
  void release() {
    root.detachAppender(captured);
  }

  @Test
  void everyLineOfARequestCarriesItsCorrelationId() {
    try (TestServer server = TestServer.start(dir)) {
      String token = server.token("alice");
      server.send(
          "POST",
          "/sessions",
          token,
          "{\"sourceLanguage\":\"en\"}",
          Map.of("X-Correlation-Id", "corr-create-1"));
      server.send(
          "GET",
          "/sessions/nothing-here-999",
          null,
          null,
          Map.of("X-Correlation-Id", "corr-get-2"));
      List<ILoggingEvent> access = accessLines();
      assertThat(access)
          .anySatisfy(
              e -> {
                assertThat(e.getMDCPropertyMap()).containsEntry("correlationId", "corr-create-1");
                assertThat(e.getFormattedMessage()).contains("POST").contains("201");
              });
      assertThat(access)
          .anySatisfy(
              e -> {
                assertThat(e.getMDCPropertyMap()).containsEntry("correlationId", "corr-get-2");
                assertThat(e.getFormattedMessage()).contains("404");
              });
      assertThat(access)
          .allSatisfy(e -> assertThat(e.getMDCPropertyMap()).containsKey("correlationId"));
    }
  }

  @Test
  void tokensNeverReachTheLogs() {
    try (TestServer server = TestServer.start(dir)) {
      String good = server.token("alice");
      String tampered = good.substring(0, good.length() - 4) + "AAAA";
      server.send("POST", "/sessions", good, "{\"sourceLanguage\":\"en\"}");
      server.send("POST", "/sessions", tampered, "{\"sourceLanguage\":\"en\"}");
      server.send("GET", "/sessions", "garbage-token-value-123", null);
      server.send("GET", "/sessions?token=" + good, null, null);
      assertThat(accessLines()).hasSizeGreaterThanOrEqualTo(4);
      String signature = good.substring(good.lastIndexOf('.') + 1);
      for (ILoggingEvent e : List.copyOf(captured.list)) {
        String all =
            e.getFormattedMessage()
                + e.getMDCPropertyMap()
                + java.util.Arrays.toString(e.getArgumentArray());
        assertThat(all).doesNotContain(signature).doesNotContain("garbage-token-value-123");
      }
    }
  }

  private List<ILoggingEvent> accessLines() {
    return List.copyOf(captured.list).stream()
        .filter(e -> e.getLoggerName().equals("pentecost.access"))
        .toList();
  }
}
