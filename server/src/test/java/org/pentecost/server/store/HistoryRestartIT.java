package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pentecost.server.auth.HmacSecret;
import org.pentecost.server.auth.TokenMinter;
import org.pentecost.server.testing.AudioFrames;
import org.pentecost.server.testing.ServerProcess;
import org.pentecost.server.testing.TestServer.Response;
import org.pentecost.server.testing.WsClient;

/**
 * The real command line with the embedded store: a session's transcript and summary are served
 * again after the node was stopped, or killed with {@code kill -9} a couple of seconds after the
 * last caption (MVStore's auto-commit runs every second), and started again on the same data
 * directory.
 */
class HistoryRestartIT {
  private static final String[] LINES = {
    "Good morning, everyone.", "Please turn to page twelve.", "Let us begin."
  };

  @TempDir Path dir;

  enum Ending {
    STOPPED,
    KILLED
  }

  @ParameterizedTest
  @EnumSource(Ending.class)
  void transcriptAndSummaryOutliveTheProcess(Ending ending) throws Exception {
    Path data = dir.resolve("data");
    String id;
    String token;
    String transcriptBefore;
    JsonNode summaryBefore;
    try (ServerProcess node = ServerProcess.serve(data)) {
      token =
          TokenMinter.mint(
              HmacSecret.loadOrCreate(data, ""),
              "pentecost",
              "alice",
              Duration.ofHours(1),
              Clock.systemUTC());
      Response created = node.send("POST", "/sessions", token, "{\"sourceLanguage\":\"en\"}");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      id = created.json().get("sessionId").asText();
      String query = "sessionId=" + id;
      try (WsClient speaker =
              WsClient.connect(node.port(), query + "&role=speaker&token=" + token, Map.of());
          WsClient listener = WsClient.connect(node.port(), query, Map.of())) {
        speaker.awaitType("sessionJoined");
        listener.awaitType("sessionJoined");
        for (String line : LINES) {
          speaker.send(caption(line + " (draft)", false));
          speaker.send(caption(line, true));
        }
        for (int n = 0; n < 10; n++) {
          speaker.sendBinary(AudioFrames.pcm(n));
        }
        for (int n = 0; n < 10; n++) {
          listener.nextFrame();
        }
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> transcript(node, id, token).body().lines().count() == LINES.length);
        assertThat(node.send("DELETE", "/sessions/" + id, token, null).status()).isEqualTo(204);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                JsonNode s = summary(node, id, token).json();
                return s.get("languages").size() == 1
                    && !s.get("languages").get(0).get("audio").isNull()
                    && s.get("peakListeners").asInt() == 1;
              });
      transcriptBefore = transcript(node, id, token).body();
      summaryBefore = summary(node, id, token).json();
      if (ending == Ending.KILLED) {
        Thread.sleep(2000); // MVStore commits about once a second: what is older is on the disk
        node.kill();
      } else {
        node.stop();
      }
    }
    assertThat(Files.exists(data.resolve("history.mv.db"))).isTrue();

    try (ServerProcess again = ServerProcess.serve(data)) {
      Response transcript = transcript(again, id, token);
      assertThat(transcript.status()).isEqualTo(200);
      assertThat(transcript.body()).isEqualTo(transcriptBefore);
      for (String line : LINES) {
        assertThat(transcript.body()).contains("] " + line + "\n");
      }
      assertThat(transcript.body()).doesNotContain("(draft)");
      Response summary = summary(again, id, token);
      assertThat(summary.status()).isEqualTo(200);
      assertThat(summary.json()).isEqualTo(summaryBefore);
      assertThat(summary.json().get("peakListeners").asInt()).isEqualTo(1);
      assertThat(again.output()).noneMatch(l -> l.contains("history.mv.db") && l.contains("WARN"));
    }
  }

  private static String caption(String text, boolean last) {
    return "{\"action\":\"publishCaption\",\"text\":\"" + text + "\",\"final\":" + last + "}";
  }

  private static Response transcript(ServerProcess node, String id, String token) throws Exception {
    return node.send("GET", "/sessions/" + id + "/transcript?language=en&format=txt", token, null);
  }

  private static Response summary(ServerProcess node, String id, String token) throws Exception {
    return node.send("GET", "/sessions/" + id + "/summary", token, null);
  }
}
