package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pentecost.server.testing.Clients.join;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.RedisServerProcess;
import org.pentecost.server.testing.RedisTestClient;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.TestServer.Response;
import org.pentecost.server.testing.WsClient;

/**
 * Redis loses the records of live sessions (an empty restart, or a key gone) while their speaker
 * and listeners are connected to two nodes. The nodes write the records back from what they hold,
 * so the session goes on as if nothing happened; a session that cannot be written back, or whose
 * speaker does not return, ends cleanly for every listener on every node.
 */
class RedisEmptyRestartIT {
  private static final String SECRET = "redis-empty-restart-it-shared-secret-0123";
  private static final String PREFIX = "pentecost-restart:";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LEASE = Duration.ofSeconds(3);

  /** How soon after Redis is back the records must be back: two leases. */
  private static final Duration RESTORED_WITHIN = LEASE.multipliedBy(2);

  private static final String RESTORES = "pentecost_session_restores_total";

  @TempDir Path dirA;
  @TempDir Path dirB;

  private static Map<String, String> settings(String url, Duration grace) {
    Map<String, String> s = new HashMap<>(RedisTests.nodeSettings(url, PREFIX));
    s.put("store.timeout", "500ms");
    s.put("store.nodeLease", LEASE.toMillis() + "ms");
    s.put("auth.hmacSecret", SECRET);
    s.put("limits.trustedNetworks", "127.0.0.0/8");
    s.put("sessions.speakerGracePeriod", grace.toMillis() + "ms");
    return s;
  }

  private static long counted(RedisServerProcess redis, String id) {
    return RedisTests.listenersCounted(redis.url(), PREFIX, id);
  }

  private static void assertEndedAndClosed(List<WsClient> clients) {
    for (WsClient c : clients) {
      assertThat(c.awaitType("sessionEnded").get("sessionId").asText()).isNotBlank();
      assertThat(c.awaitClose()).as("close code of an ended session").isEqualTo(4410);
    }
  }

  @Test
  void aLiveSessionIsWrittenBackAfterAnEmptyRestartAndWorksOnBothNodes() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start();
        TestServer a = TestServer.start(dirA, settings(redis.url(), Duration.ofSeconds(30)));
        TestServer b = TestServer.start(dirB, settings(redis.url(), Duration.ofSeconds(30)))) {
      String alice = a.token("alice");
      String id = a.createSession(alice, "en");
      JsonNode before = a.get("/sessions/" + id).json();
      String listen = "sessionId=" + id + "&targetLanguage=";
      try (WsClient speaker = join(a, "sessionId=" + id + "&role=speaker&token=" + alice);
          WsClient onA = join(a, listen + "en");
          WsClient onB1 = join(b, listen + "en");
          WsClient onB2 = join(b, listen + "es")) {
        await().atMost(Duration.ofSeconds(10)).until(() -> counted(redis, id) == 3);

        redis.kill();
        redis.restart(); // empty: no persistence
        long back = System.nanoTime();
        await()
            .atMost(RESTORED_WITHIN)
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  Response r = b.get("/sessions/" + id);
                  return r.status() == 200 && r.json().get("listenerCount").asInt() == 3;
                });
        long tookMs = (System.nanoTime() - back) / 1_000_000;
        assertThat(tookMs).as("written back within two leases").isLessThan(6_000);

        // the record as it was, the counts of both nodes, on either node
        for (TestServer node : List.of(a, b)) {
          JsonNode after = node.get("/sessions/" + id).json();
          for (String field :
              List.of(
                  "sessionId",
                  "sourceLanguage",
                  "qualityTier",
                  "status",
                  "createdAt",
                  "updatedAt",
                  "expiresAt")) {
            assertThat(after.get(field)).as(field).isEqualTo(before.get(field));
          }
          assertThat(after.get("listenersByLanguage").get("en").asInt()).isEqualTo(2);
          assertThat(after.get("listenersByLanguage").get("es").asInt()).isEqualTo(1);
        }
        // the speaker's own list has it again
        assertThat(b.send("GET", "/sessions", alice, null).body()).contains(id);
        // both nodes restore it, one of them writes it: counted once
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> a.metric(RESTORES) + b.metric(RESTORES) == 1.0);

        // a new listener joins
        try (WsClient late = join(b, listen + "fr")) {
          await().atMost(Duration.ofSeconds(5)).until(() -> a.listenerCount(id) == 4);
          List<WsClient> listeners = List.of(onA, onB1, onB2, late);

          // pause and resume reach the listeners of both nodes
          Response paused = a.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"paused\"}");
          assertThat(paused.status()).isEqualTo(200);
          for (WsClient l : listeners) {
            l.awaitType("sessionPaused");
          }
          Response resumed = b.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"active\"}");
          assertThat(resumed.status()).isEqualTo(200);
          for (WsClient l : listeners) {
            l.awaitType("sessionResumed");
          }

          // DELETE ends it for everyone on both nodes
          assertThat(b.send("DELETE", "/sessions/" + id, alice, null).status()).isEqualTo(204);
          assertEndedAndClosed(List.of(speaker, onA, onB1, onB2, late));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> counted(redis, id) == 0);
        assertThat(a.get("/sessions/" + id).json().get("status").asText()).isEqualTo("ended");
      }
    }
  }

  @Test
  void theSpeakersGracePeriodEndsTheSessionAfterAnEmptyRestart() throws Exception {
    Duration grace = Duration.ofSeconds(2);
    try (RedisServerProcess redis = RedisServerProcess.start();
        TestServer a = TestServer.start(dirA, settings(redis.url(), grace));
        TestServer b = TestServer.start(dirB, settings(redis.url(), grace))) {
      String alice = a.token("alice");
      String id = a.createSession(alice, "en");
      String listen = "sessionId=" + id + "&targetLanguage=en";
      try (WsClient speaker = join(a, "sessionId=" + id + "&role=speaker&token=" + alice);
          WsClient onA = join(a, listen);
          WsClient onB = join(b, listen)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> counted(redis, id) == 2);

        redis.kill();
        redis.restart(); // empty
        speaker.abort(); // and the speaker's network drops

        onA.awaitType("speakerDisconnected");
        assertEndedAndClosed(List.of(onA, onB));
        await().atMost(Duration.ofSeconds(10)).until(() -> counted(redis, id) == 0);
        Response after = b.get("/sessions/" + id);
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.json().get("status").asText()).isEqualTo("ended");
      }
    }
  }

  @Test
  void aSessionWhoseRecordIsGoneEndsWhenTheSpeakerDoesNotReturn() throws Exception {
    Duration grace = Duration.ofSeconds(1);
    try (RedisServerProcess redis = RedisServerProcess.start();
        TestServer a = TestServer.start(dirA, settings(redis.url(), grace));
        TestServer b = TestServer.start(dirB, settings(redis.url(), grace))) {
      String alice = a.token("alice");
      String id = a.createSession(alice, "en");
      String listen = "sessionId=" + id + "&targetLanguage=en";
      try (WsClient speaker = join(a, "sessionId=" + id + "&role=speaker&token=" + alice);
          WsClient onA = join(a, listen);
          WsClient onB = join(b, listen)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> counted(redis, id) == 2);
        // the record alone is lost (evicted, deleted by hand): the nodes' leases are intact
        try (RedisTestClient client = new RedisTestClient(redis.url())) {
          assertThat(client.call("DEL", PREFIX + "session:{" + id + "}")).isEqualTo(1L);
        }
        speaker.abort();

        assertEndedAndClosed(List.of(onA, onB));
        await().atMost(Duration.ofSeconds(10)).until(() -> counted(redis, id) == 0);
        // written back as ended: a late listener is told so, not "unknown code"
        try (WsClient late = WsClient.connect(b, listen)) {
          assertThat(late.next().get("code").asText()).isEqualTo("SESSION_ENDED");
          assertThat(late.awaitClose()).isEqualTo(4410);
        }
      }
    }
  }

  @Test
  void aRestoreThatFindsTheCodeTakenEndsTheSessionForItsListeners() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start();
        TestServer a = TestServer.start(dirA, settings(redis.url(), Duration.ofSeconds(30)));
        TestServer b = TestServer.start(dirB, settings(redis.url(), Duration.ofSeconds(30)))) {
      String alice = a.token("alice");
      String id = a.createSession(alice, "en");
      String listen = "sessionId=" + id + "&targetLanguage=en";
      try (WsClient speaker = join(a, "sessionId=" + id + "&role=speaker&token=" + alice);
          WsClient onA = join(a, listen);
          WsClient onB = join(b, listen)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> counted(redis, id) == 2);
        String key = PREFIX + "session:{" + id + "}";
        try (RedisTestClient client = new RedisTestClient(redis.url())) {
          // Redis empties and, before any node notices, another session takes the code
          ObjectNode other = (ObjectNode) JSON.readTree((String) client.call("GET", key));
          other
              .put("speakerUserId", "mallory")
              .put("createdAt", other.get("createdAt").asLong() + 1);
          client.call("MULTI");
          client.call("FLUSHALL");
          client.call("SET", key, JSON.writeValueAsString(other), "PX", 600_000);
          client.call("EXEC");
        }

        assertEndedAndClosed(List.of(speaker, onA, onB));
        await().atMost(Duration.ofSeconds(10)).until(() -> counted(redis, id) == 0);
        try (RedisTestClient client = new RedisTestClient(redis.url())) {
          JsonNode held = JSON.readTree((String) client.call("GET", key));
          assertThat(held.get("speakerUserId").asText())
              .as("never overwritten")
              .isEqualTo("mallory");
        }
        assertThat(a.metric(RESTORES) + b.metric(RESTORES)).isZero();
      }
    }
  }
}
