package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.RedisNodes;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * Which languages are live: a listener's {@code sessionJoined} says ({@code liveLanguages}), and
 * every listener, whatever it hears, is told again ({@code liveLanguagesChanged}) when a stream
 * starts or stops, on one node and across nodes.
 */
class LiveLanguagesIT extends SharedNode {
  @TempDir Path dir;

  LiveLanguagesIT() {
    super(SharedNode.loopback());
  }

  private static List<String> live(JsonNode m) {
    List<String> out = new ArrayList<>();
    m.get("liveLanguages").forEach(l -> out.add(l.asText()));
    return out;
  }

  private static JsonNode joined(WsClient c) {
    return c.seen().get(0);
  }

  @Test
  void listenersLearnWhichLanguagesAreLiveAndWhenThatChanges() {
    String id = server.createSession(alice, "en");
    try (WsClient fr = clients.listener(id, "targetLanguage=fr", "fallback=source")) {
      assertThat(live(joined(fr))).as("nobody publishes yet").isEmpty();

      try (WsClient speaker = clients.speaker(id)) {
        assertThat(live(fr.awaitType("liveLanguagesChanged"))).containsExactly("en");
        try (WsClient de = clients.listener(id, "targetLanguage=de")) {
          assertThat(live(joined(de))).containsExactly("en");

          WsClient es = Clients.joined(clients.connectWorker(id, "es"));
          assertThat(live(fr.awaitType("liveLanguagesChanged"))).containsExactly("en", "es");
          assertThat(live(de.awaitType("liveLanguagesChanged")))
              .as("a listener of another language is told too")
              .containsExactly("en", "es");

          es.close();
          assertThat(live(fr.awaitType("liveLanguagesChanged"))).containsExactly("en");
          assertThat(live(de.awaitType("liveLanguagesChanged"))).containsExactly("en");
        }
      }
    }
  }

  @Test
  void aListenerOnOneNodeLearnsOfAWorkerOnAnother() {
    RedisTests.requireRedis(); // skipped without Redis, a failure under CI
    try (RedisNodes nodes = RedisNodes.start(dir, 2, SharedNode.loopback())) {
      nodes.awaitConnected();
      TestServer a = nodes.node(0);
      TestServer b = nodes.node(1);
      String token = a.token("alice");
      String id = a.createSession(token, "en");
      Clients onA = Clients.of(a, token);
      Clients onB = Clients.of(b, token);
      try (WsClient speaker = onA.speaker(id);
          WsClient fr = onB.listener(id, "targetLanguage=fr")) {
        assertThat(live(joined(fr))).as("the speaker on A").containsExactly("en");
        try (WsClient worker = Clients.joined(onA.connectWorker(id, "fr"))) {
          assertThat(live(fr.awaitType("liveLanguagesChanged"))).containsExactly("en", "fr");
        }
        assertThat(live(fr.awaitType("liveLanguagesChanged"))).containsExactly("en");
      }
    }
  }

  @Test
  void nothingElseChangesForAListenerOfALiveLanguage() {
    String id = server.createSession(alice, "en");
    try (WsClient speaker = clients.speaker(id);
        WsClient en = clients.listener(id, "targetLanguage=en")) {
      JsonNode j = joined(en);
      assertThat(j.get("streamAvailable").asBoolean()).isTrue();
      assertThat(live(j)).containsExactly("en");
      assertThat(j.get("audioLanguage").asText()).isEqualTo("en");
    }
  }
}
