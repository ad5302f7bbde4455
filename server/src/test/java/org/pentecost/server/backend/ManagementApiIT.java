package org.pentecost.server.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.protocol.CloseCode;
import org.pentecost.server.testing.ManagementClient;
import org.pentecost.server.testing.ManagementClient.Joined;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.TestServer.Response;

/** The management API on one node, with real WebSocket clients. */
class ManagementApiIT extends SharedNode {
  ManagementApiIT() {
    super(settings());
  }

  private static Map<String, String> settings() {
    Map<String, String> s = new HashMap<>(SharedNode.loopback("server.maxBodyBytes", "4096"));
    s.putAll(ManagementClient.settings());
    return s;
  }

  private ManagementClient api() {
    return ManagementClient.of(server);
  }

  private Joined listener(String sessionId, String language) {
    return ManagementClient.join(server, "sessionId=" + sessionId + "&targetLanguage=" + language);
  }

  private Joined speaker(String sessionId) {
    return ManagementClient.join(server, "sessionId=" + sessionId + "&role=speaker&token=" + alice);
  }

  @Test
  void withoutAValidKeyEveryCallIs401AndBothRotatedKeysWork() throws InterruptedException {
    String id = server.createSession(alice, "en");
    try (Joined l = listener(id, "es")) {
      for (String key : new String[] {null, "wrong-key-0123456789abcdef", alice}) {
        ManagementClient caller = ManagementClient.of(server, key);
        for (Response r :
            List.of(
                caller.post(l.connectionId(), "{\"a\":1}"),
                caller.get(l.connectionId()),
                caller.delete(l.connectionId()),
                caller.list(id, ""))) {
          assertThat(r.status()).as("key %s", key == null ? "none" : "wrong").isEqualTo(401);
          assertThat(r.code()).isEqualTo("INVALID_BACKEND_KEY");
          assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
        }
      }
      Response broadcast =
          ManagementClient.of(server, "wrong-key-0123456789abcdef")
              .broadcast(id, "{\"message\":\"x\"}");
      assertThat(broadcast.status()).isEqualTo(401);
      assertThat(broadcast.code()).isEqualTo("INVALID_BACKEND_KEY");
      assertThat(l.client().poll(Duration.ofMillis(300))).as("nothing reached the client").isNull();
      assertThat(ManagementClient.of(server, ManagementClient.KEY).get(l.connectionId()).status())
          .isEqualTo(200);
      assertThat(
              ManagementClient.of(server, ManagementClient.NEXT_KEY).get(l.connectionId()).status())
          .isEqualTo(200);
    }
  }

  @Test
  void withNoKeyConfiguredTheApiAnswers401SayingSo(@TempDir Path dir) {
    try (TestServer bare = TestServer.start(dir)) {
      Response r = ManagementClient.of(bare, "any-key-0123456789abcdef").get("x");
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.code()).isEqualTo("INVALID_BACKEND_KEY");
      assertThat(r.json().get("error").asText()).contains("no backend key is configured");
    }
  }

  @Test
  void aPostReachesTheClientAsOneTextMessageAsIs() {
    String id = server.createSession(alice, "en");
    try (Joined l = listener(id, "es")) {
      String body = "{\"type\":\"progress\",\"done\":0.5,\"note\":\"señal ✓\"}";
      Response r = api().post(l.connectionId(), body);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("delivered").asBoolean()).isTrue();
      JsonNode got = l.client().awaitType("progress");
      assertThat(got.get("done").asDouble()).isEqualTo(0.5);
      assertThat(got.get("note").asText()).isEqualTo("señal ✓");
    }
  }

  @Test
  void aPostMustBeNonEmptyUtf8WithinTheBodyLimit() throws InterruptedException {
    String id = server.createSession(alice, "en");
    try (Joined l = listener(id, "es")) {
      String path = "/@connections/" + l.connectionId();
      Response invalid =
          server.sendBytes("POST", path, ManagementClient.KEY, new byte[] {'{', (byte) 0xc3, '}'});
      assertThat(invalid.status()).isEqualTo(400);
      assertThat(invalid.code()).isEqualTo("INVALID_REQUEST");
      assertThat(server.sendBytes("POST", path, ManagementClient.KEY, new byte[0]).status())
          .isEqualTo(400);
      Response large = api().post(l.connectionId(), "\"" + "x".repeat(5000) + "\"");
      assertThat(large.status()).isEqualTo(413);
      assertThat(l.client().poll(Duration.ofMillis(300))).isNull();
    }
  }

  @Test
  void getDescribesTheConnection() {
    String id = server.createSession(alice, "en");
    long before = System.currentTimeMillis();
    try (Joined l = listener(id, "ES")) {
      Response r = api().get(l.connectionId());
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Cache-Control")).isEqualTo("no-store");
      JsonNode info = r.json();
      assertThat(info.get("connectionId").asText()).isEqualTo(l.connectionId());
      assertThat(info.get("sessionId").asText()).isEqualTo(id);
      assertThat(info.get("role").asText()).isEqualTo("listener");
      assertThat(info.get("targetLanguage").asText()).isEqualTo("es");
      assertThat(info.get("node").asText()).isEqualTo(server.server().nodeId());
      assertThat(info.get("connectedAt").asLong()).isBetween(before - 1000, before + 10_000);
      assertThat(info.get("lastActiveAt").asLong())
          .isGreaterThanOrEqualTo(info.get("connectedAt").asLong());
      assertThat(info.get("queuedBytes").asLong()).isNotNegative();
      assertThat(info.get("identity").get("sourceIp").asText()).isEqualTo("127.0.0.1");
      assertThat(info.get("identity").get("userAgent").asText()).contains("Java");
    }
    try (Joined s = speaker(id)) {
      JsonNode info = api().get(s.connectionId()).json();
      assertThat(info.get("role").asText()).isEqualTo("speaker");
      assertThat(info.get("targetLanguage").asText()).isEqualTo("en");
    }
  }

  @Test
  void deleteClosesWith4004AndTheConnectionIsGoneAfterwards() {
    String id = server.createSession(alice, "en");
    try (Joined l = listener(id, "es")) {
      Response r = api().delete(l.connectionId());
      assertThat(r.status()).isEqualTo(204);
      assertThat(l.client().awaitClose()).isEqualTo(CloseCode.CLOSED_BY_BACKEND.code());
      assertThat(CloseCode.CLOSED_BY_BACKEND.code()).isEqualTo(4004);
      for (Response gone :
          List.of(
              api().get(l.connectionId()),
              api().post(l.connectionId(), "{}"),
              api().delete(l.connectionId()))) {
        assertThat(gone.status()).isEqualTo(410);
        assertThat(gone.code()).isEqualTo("GONE");
      }
      server.awaitListenerCount(id, 0);
    }
  }

  @Test
  void aConnectionTheClientClosedIsGone() {
    String id = server.createSession(alice, "en");
    Joined l = listener(id, "es");
    l.client().closeNormally();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> api().post(l.connectionId(), "{\"a\":1}").status() == 410);
    assertThat(api().get(l.connectionId()).code()).isEqualTo("GONE");
  }

  @Test
  void anIdNoConnectionEverHadIsGone() {
    for (String id : List.of("p1V0o3Qk2mUEXd1Cq0d8uQ", "not-an-id", "p1V0o3Qk2mUEXd1Cq0d8u%2B")) {
      assertThat(api().get(id).status()).as(id).isEqualTo(410);
      assertThat(api().post(id, "{}").status()).as(id).isEqualTo(410);
      assertThat(api().delete(id).status()).as(id).isEqualTo(410);
    }
  }

  @Test
  void aBroadcastReachesTheMatchingConnectionsAndCountsThem() {
    String id = server.createSession(alice, "en");
    try (Joined speaker = speaker(id);
        Joined es1 = listener(id, "es");
        Joined es2 = listener(id, "es");
        Joined fr = listener(id, "fr")) {
      Response byLanguage =
          api()
              .broadcast(
                  id,
                  "{\"message\":{\"type\":\"announcement\",\"n\":1},\"language\":\"ES\","
                      + "\"roles\":[\"listener\"]}");
      assertThat(byLanguage.status()).isEqualTo(200);
      assertThat(byLanguage.json().get("delivered").asInt()).isEqualTo(2);
      assertThat(byLanguage.json().get("dropped").asInt()).isZero();
      assertThat(es1.client().awaitType("announcement").get("n").asInt()).isEqualTo(1);
      assertThat(es2.client().awaitType("announcement").get("n").asInt()).isEqualTo(1);

      Response byRole =
          api()
              .broadcast(
                  id, "{\"message\":{\"type\":\"announcement\",\"n\":2},\"roles\":[\"speaker\"]}");
      assertThat(byRole.json().get("delivered").asInt()).isEqualTo(1);
      assertThat(speaker.client().awaitType("announcement").get("n").asInt()).isEqualTo(2);

      // a string goes as it is
      Response all =
          api().broadcast(id, "{\"message\":\"{\\\"type\\\":\\\"announcement\\\",\\\"n\\\":3}\"}");
      assertThat(all.json().get("delivered").asInt()).isEqualTo(4);
      for (Joined j : List.of(speaker, es1, es2, fr)) {
        assertThat(j.client().awaitType("announcement").get("n").asInt()).isEqualTo(3);
      }
      assertThat(announcements(fr)).as("fr heard only the broadcast to all").containsExactly(3);
      assertThat(announcements(speaker)).containsExactly(2, 3);
      assertThat(announcements(es1)).containsExactly(1, 3);
    }
  }

  private static List<Integer> announcements(Joined j) {
    List<Integer> ns = new ArrayList<>();
    for (JsonNode m : j.client().seen()) {
      if ("announcement".equals(m.path("type").asText())) {
        ns.add(m.get("n").asInt());
      }
    }
    return ns;
  }

  @Test
  void theSpeakersTokenMayBroadcastAnotherUsersMayNot() {
    String id = server.createSession(alice, "en");
    try (Joined l = listener(id, "es")) {
      String body = "{\"message\":{\"type\":\"announcement\",\"n\":7}}";
      Response owner = server.send("POST", "/sessions/" + id + "/broadcast", alice, body);
      assertThat(owner.status()).isEqualTo(200);
      assertThat(owner.json().get("delivered").asInt()).isEqualTo(1);
      assertThat(l.client().awaitType("announcement").get("n").asInt()).isEqualTo(7);
      Response other = server.send("POST", "/sessions/" + id + "/broadcast", bob, body);
      assertThat(other.status()).isEqualTo(403);
      assertThat(other.code()).isEqualTo("NOT_SESSION_OWNER");
      Response none = server.send("POST", "/sessions/" + id + "/broadcast", null, body);
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
    }
  }

  @Test
  void aBroadcastNeedsAKnownSessionAndAWellFormedBody() {
    String id = server.createSession(alice, "en");
    Response unknown = api().broadcast("no-such-session-999", "{\"message\":\"x\"}");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo("SESSION_NOT_FOUND");
    Map<String, String> bad =
        Map.of(
            "{}", "INVALID_REQUEST",
            "{\"message\":7}", "INVALID_REQUEST",
            "{\"message\":\"x\",\"extra\":1}", "INVALID_REQUEST",
            "{\"message\":\"x\",\"roles\":[\"admin\"]}", "INVALID_REQUEST",
            "{\"message\":\"x\",\"roles\":[]}", "INVALID_REQUEST",
            "{\"message\":\"x\",\"language\":\"xx\"}", "UNSUPPORTED_LANGUAGE",
            "{\"message\":", "MALFORMED_JSON");
    bad.forEach(
        (body, code) -> {
          Response r = api().broadcast(id, body);
          assertThat(r.status()).as(body).isEqualTo(400);
          assertThat(r.code()).as(body).isEqualTo(code);
        });
  }

  @Test
  void aSessionsConnectionsComeInPagesSortedById() {
    String id = server.createSession(alice, "en");
    List<Joined> joined = new ArrayList<>();
    try {
      joined.add(speaker(id));
      for (int i = 0; i < 4; i++) {
        joined.add(listener(id, i % 2 == 0 ? "es" : "fr"));
      }
      List<String> expected = joined.stream().map(Joined::connectionId).sorted().toList();
      List<String> seen = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        Response r = api().list(id, "limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
        assertThat(r.status()).isEqualTo(200);
        JsonNode page = r.json();
        assertThat(page.get("items").size()).isLessThanOrEqualTo(2);
        page.get("items").forEach(i -> seen.add(i.get("connectionId").asText()));
        cursor = page.get("next").isNull() ? null : page.get("next").asText();
        pages++;
      } while (cursor != null && pages < 10);
      assertThat(seen).isEqualTo(expected);
      assertThat(pages).isEqualTo(3);
      JsonNode first = api().list(id, "").json();
      assertThat(first.get("items")).hasSize(5);
      assertThat(first.get("next").isNull()).isTrue();
      assertThat(first.get("items").get(0).get("sessionId").asText()).isEqualTo(id);
      assertThat(api().list(id, "limit=0").status()).isEqualTo(400);
      assertThat(api().list(id, "limit=lots").status()).isEqualTo(400);
      assertThat(api().list("no-such-session-999", "").code()).isEqualTo("SESSION_NOT_FOUND");
    } finally {
      joined.forEach(Joined::close);
    }
  }

  @Test
  void callsWithAValidKeyAreNotThrottledAsAnonymousTrafficIs(@TempDir Path dir) {
    Map<String, String> s = new HashMap<>(ManagementClient.settings());
    s.put("limits.httpRequestsPerSecond", "1");
    s.put("limits.httpBurst", "1");
    s.put("limits.trustedNetworks", "127.0.0.0/8");
    try (TestServer node = TestServer.start(dir, s)) {
      String token = node.token("alice");
      String id = node.createSession(token, "en");
      try (Joined l = ManagementClient.join(node, "sessionId=" + id)) {
        ManagementClient api = ManagementClient.of(node);
        for (int i = 0; i < 30; i++) {
          assertThat(api.post(l.connectionId(), "{\"type\":\"n\",\"i\":" + i + "}").status())
              .isEqualTo(200);
        }
        assertThat(api.broadcast(id, "{\"message\":\"{}\"}").status()).isEqualTo(200);
        boolean throttled = false;
        for (int i = 0; i < 10 && !throttled; i++) {
          throttled = node.get("/health").status() == 429;
        }
        assertThat(throttled).as("anonymous calls are throttled").isTrue();
        Response wrong = ManagementClient.of(node, "wrong-key-0123456789abcdef").get("x");
        assertThat(wrong.status()).as("a wrong key is anonymous traffic").isIn(401, 429);
      }
    }
  }
}
