package org.pentecost.server.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pentecost.server.testing.AudioFrames.assertRun;
import static org.pentecost.server.testing.AudioFrames.drain;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.Talker;
import org.pentecost.server.testing.TestBackend;
import org.pentecost.server.testing.TestBackend.Answer;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * A backend that is down, then slow, then back, while a speaker talks: the route's circuit breaker
 * opens (the client is answered {@code INTEGRATION_FAILED} at once, nothing reaches the backend),
 * tries again after {@code backend.breakerOpenFor}, and closes once the backend answers; the
 * listener hears every frame, with no gap, all along.
 */
class BackendBreakerIT {
  private static final String BREAKER = "pentecost_backend_breaker_state";
  private static final String ACK = "{\"type\":\"ack\"}";

  @Test
  void theBreakerOpensAndClosesWhileAudioFlows(@TempDir Path dir) throws Exception {
    try (TestBackend backend = new TestBackend();
        TestServer server =
            TestServer.start(
                dir,
                RouteTests.settings(
                    backend,
                    "backend.routes",
                    "progress=" + backend.url("/progress"),
                    "backend.timeout",
                    "300ms"))) {
      String alice = server.token("alice");
      String session = server.createSession(alice, "en");
      Clients clients = Clients.of(server, alice);
      WsClient speaker = clients.speaker(session);
      WsClient listener = clients.listener(session);
      WsClient app = clients.listener(session, "targetLanguage=es");
      Talker talker = Talker.untilStopped(speaker);
      try {
        await().atMost(Duration.ofSeconds(5)).until(() -> talker.sent() >= 20);

        // Down: five failures open the breaker.
        backend.answer("/progress", Answer.down());
        for (int i = 0; i < 5; i++) {
          assertThat(progress(app, i).get("code").asText()).isEqualTo("INTEGRATION_FAILED");
        }
        assertThat(RouteTests.metric(server, BREAKER, "/progress")).isEqualTo(2);
        int reached = backend.requests("/progress").size();
        long before = System.nanoTime();
        JsonNode fast = progress(app, 5);
        long tookMs = (System.nanoTime() - before) / 1_000_000;
        assertThat(fast.get("code").asText()).isEqualTo("INTEGRATION_FAILED");
        assertThat(fast.get("message").asText()).contains("circuit breaker");
        assertThat(tookMs).as("fails fast").isLessThan(300);
        assertThat(backend.requests("/progress"))
            .as("nothing reached the backend")
            .hasSize(reached);
        assertThat(
                RouteTests.metric(
                    server, "pentecost_backend_calls_total", "outcome=\"breaker_open\""))
            .isPositive();

        // Slow: after breakerOpenFor a few calls try again, time out, and it opens again.
        backend.answer("/progress", Answer.of(200, ACK).after(Duration.ofSeconds(2)));
        Thread.sleep(1100);
        for (int i = 0; i < 3; i++) {
          JsonNode slow = progress(app, 10 + i);
          assertThat(slow.get("code").asText()).isEqualTo("INTEGRATION_FAILED");
          assertThat(slow.get("message").asText()).contains("in time");
        }
        assertThat(RouteTests.metric(server, BREAKER, "/progress")).isEqualTo(2);

        // Back: after breakerOpenFor it answers, and the breaker closes by itself.
        backend.answer("/progress", Answer.of(200, ACK));
        Thread.sleep(1100);
        for (int i = 0; i < 3; i++) {
          assertThat(progress(app, 20 + i).get("type").asText()).isEqualTo("ack");
        }
        assertThat(RouteTests.metric(server, BREAKER, "/progress")).isZero();
        assertThat(progress(app, 30).get("type").asText()).isEqualTo("ack");
      } finally {
        talker.stop();
        talker.join(5000);
      }

      assertThat(talker.failed()).isFalse();
      List<long[]> heard = new ArrayList<>(drain(listener, Duration.ofSeconds(1)));
      assertRun("the listener, all along", heard, 1, talker.sent());
      assertThat(listener.hasSeen("continuityLost")).isFalse();
      speaker.close();
      listener.close();
      app.close();
    }
  }

  /** Sends a progress message and returns what answers it (skipping other messages). */
  private static JsonNode progress(WsClient app, int requestId) {
    app.send("{\"action\":\"progress\",\"requestId\":" + requestId + "}");
    while (true) {
      JsonNode m = app.next();
      if (m.path("requestId").asInt(-1) == requestId || "ack".equals(m.path("type").asText())) {
        return m;
      }
    }
  }
}
