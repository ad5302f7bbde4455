package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.pentecost.server.testing.ApiContract;
import org.pentecost.server.testing.ManagementClient;
import org.pentecost.server.testing.RawSocket;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.TestServer.Response;

/**
 * Every operation of {@code openapi/*.yaml}, called on a real node, its real responses (successes
 * and the errors that can be produced) validated against the document by vertx-openapi's {@code
 * ResponseValidator}. The last check: no operation of the document went unexercised.
 */
class OpenApiContractIT extends SharedNode {
  private final ApiContract api = new ApiContract();

  OpenApiContractIT() {
    super(settings());
  }

  private static Map<String, String> settings() {
    Map<String, String> s = new HashMap<>(ManagementClient.settings());
    s.put("limits.sessionCreatesPerHour", "8");
    s.put("limits.trustedNetworks", "127.0.0.0/8");
    return s;
  }

  @AfterAll
  void everyOperationWasChecked() {
    try {
      assertThat(api.unchecked()).as("operations no test called").isEmpty();
    } finally {
      api.close();
    }
  }

  private Response call(String op, String method, String path, String token, String body) {
    return api.check(op, server.send(method, path, token, body));
  }

  @Test
  void sessions() {
    Response created =
        call("createSession", "POST", "/sessions", alice, "{\"sourceLanguage\":\"en\"}");
    assertThat(created.status()).isEqualTo(201);
    String id = created.json().get("sessionId").asText();
    call("createSession", "POST", "/sessions", alice, "{\"sourceLanguage\":");
    call("createSession", "POST", "/sessions", alice, "{\"sourceLanguage\":\"en\",\"x\":1}");
    call("createSession", "POST", "/sessions", alice, "{\"sourceLanguage\":\"klingon\"}");
    assertThat(
            call(
                    "createSession",
                    "POST",
                    "/sessions",
                    alice,
                    "{\"sourceLanguage\":\"en\",\"qualityTier\":\"ultra\"}")
                .code())
        .isEqualTo("INVALID_QUALITY_TIER");
    call("createSession", "POST", "/sessions", null, "{\"sourceLanguage\":\"en\"}");
    call("createSession", "POST", "/sessions", "not.a.jwt", "{\"sourceLanguage\":\"en\"}");
    String expired =
        server.token(
            "alice",
            Duration.ofMinutes(5),
            Clock.fixed(Instant.now().minusSeconds(3600), ZoneOffset.UTC));
    assertThat(call("createSession", "POST", "/sessions", expired, "{}").code())
        .isEqualTo("TOKEN_EXPIRED");
    Response huge =
        call(
            "createSession",
            "POST",
            "/sessions",
            alice,
            "{\"sourceLanguage\":\"" + "a".repeat(70_000) + "\"}");
    assertThat(huge.status()).isEqualTo(413);

    assertThat(call("listMySessions", "GET", "/sessions", alice, null).status()).isEqualTo(200);
    call("listMySessions", "GET", "/sessions", null, null);

    assertThat(call("getSession", "GET", "/sessions/" + id, null, null).status()).isEqualTo(200);
    assertThat(call("getSession", "GET", "/sessions/no-such-code-1", null, null).status())
        .isEqualTo(404);

    String path = "/sessions/" + id;
    assertThat(call("updateSession", "PATCH", path, alice, "{\"status\":\"paused\"}").status())
        .isEqualTo(200);
    call("updateSession", "PATCH", path, alice, "{}");
    call("updateSession", "PATCH", path, null, "{\"status\":\"active\"}");
    assertThat(call("updateSession", "PATCH", path, bob, "{\"status\":\"active\"}").status())
        .isEqualTo(403);
    call("updateSession", "PATCH", "/sessions/no-such-code-1", alice, "{\"status\":\"active\"}");
    call("updateSession", "PATCH", path, alice, "{\"qualityTier\":\"" + "x".repeat(70_000) + "\"}");

    call("endSession", "DELETE", path, null, null);
    call("endSession", "DELETE", path, bob, null);
    call("endSession", "DELETE", "/sessions/no-such-code-1", alice, null);
    assertThat(call("endSession", "DELETE", path, alice, null).status()).isEqualTo(204);
    assertThat(call("updateSession", "PATCH", path, alice, "{\"status\":\"active\"}").status())
        .isEqualTo(409);
  }

  @Test
  void transcripts() {
    String id = server.createSession(alice, "en");
    String base = "/sessions/" + id + "/transcript?language=en";
    for (String format : new String[] {"", "&format=txt", "&format=vtt", "&format=srt"}) {
      assertThat(call("getTranscript", "GET", base + format, alice, null).status()).isEqualTo(200);
    }
    call("getTranscript", "GET", base + "&format=pdf", alice, null);
    call("getTranscript", "GET", "/sessions/" + id + "/transcript?language=xx", alice, null);
    call("getTranscript", "GET", base, null, null);
    call("getTranscript", "GET", base, bob, null);
    call("getTranscript", "GET", "/sessions/no-such-code-1/transcript?language=en", alice, null);
    String list = "/sessions/" + id + "/transcripts";
    assertThat(call("listTranscripts", "GET", list, alice, null).status()).isEqualTo(200);
    call("listTranscripts", "GET", list, null, null);
    call("listTranscripts", "GET", list, bob, null);
    call("listTranscripts", "GET", "/sessions/no-such-code-1/transcripts", alice, null);
    assertThat(call("getShareAddresses", "GET", "/share", null, null).status()).isEqualTo(200);
    String summary = "/sessions/" + id + "/summary";
    assertThat(call("getSessionSummary", "GET", summary, alice, null).status()).isEqualTo(200);
    call("getSessionSummary", "GET", summary, null, null);
    call("getSessionSummary", "GET", summary, bob, null);
    call("getSessionSummary", "GET", "/sessions/no-such-code-1/summary", alice, null);
  }

  @Test
  void creationsBeyondTheHourlyLimitAre429() {
    String carol = server.token("carol");
    Response r;
    int n = 0;
    do {
      r = call("createSession", "POST", "/sessions", carol, "{\"sourceLanguage\":\"es\"}");
    } while (r.status() == 201 && ++n < 20);
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.header("Retry-After")).isNotNull();
  }

  @Test
  void systemEndpoints() {
    call("listLanguages", "GET", "/languages", null, null);
    call("getHealth", "GET", "/health", null, null);
    call("getLiveness", "GET", "/health/live", null, null);
    call("getReadiness", "GET", "/health/ready", null, null);
    call("getMetrics", "GET", "/metrics", null, null);
    Response doc = call("getOpenApi", "GET", "/openapi.json", null, null);
    assertThat(doc.json().get("info").get("version").asText())
        .isEqualTo(server.get("/health").json().get("version").asText());
    assertThat(doc.json().get("paths").size()).isEqualTo(ApiDocs.load().get("paths").size());
  }

  @Test
  void repliesOutsideAnyOperationAreTheErrorBody() {
    Response none = server.get("/nowhere");
    assertThat(none.status()).isEqualTo(404);
    api.checkError(none);
    Response method = server.send("PUT", "/sessions", alice, "{}");
    assertThat(method.status()).isEqualTo(405);
    api.checkError(method);
  }

  @Test
  void managementApi() {
    String id = server.createSession(alice, "en");
    ManagementClient backend = ManagementClient.of(server);
    ManagementClient keyless = ManagementClient.of(server, null);
    ManagementClient wrongKey = ManagementClient.of(server, "backend-key-wrong-0000000000");
    try (ManagementClient.Joined listener =
        ManagementClient.join(server, "sessionId=" + id + "&targetLanguage=es")) {
      String conn = listener.connectionId();
      assertThat(api.check("postToConnection", backend.post(conn, "{\"hello\":1}")).status())
          .isEqualTo(200);
      api.check("postToConnection", backend.post(conn, ""));
      api.check("postToConnection", keyless.post(conn, "x"));
      api.check("postToConnection", backend.post("no-such-connection", "x"));
      api.check("postToConnection", backend.post(conn, "x".repeat(70_000)));
      assertThat(api.check("getConnection", backend.get(conn)).status()).isEqualTo(200);
      api.check("getConnection", wrongKey.get(conn));
      api.check("getConnection", backend.get("no-such-connection"));

      assertThat(api.check("listSessionConnections", backend.list(id, "limit=1")).status())
          .isEqualTo(200);
      api.check("listSessionConnections", backend.list(id, ""));
      api.check("listSessionConnections", backend.list(id, "limit=0"));
      api.check("listSessionConnections", keyless.list(id, ""));
      api.check("listSessionConnections", backend.list("no-such-code-1", ""));

      String message = "{\"message\":{\"notice\":\"hymn 42\"},\"roles\":[\"listener\"]}";
      assertThat(api.check("broadcastToSession", backend.broadcast(id, message)).status())
          .isEqualTo(200);
      String speakerPath = "/sessions/" + id + "/broadcast";
      assertThat(call("broadcastToSession", "POST", speakerPath, alice, message).status())
          .isEqualTo(200);
      assertThat(call("broadcastToSession", "POST", speakerPath, bob, message).status())
          .isEqualTo(403);
      api.check("broadcastToSession", keyless.broadcast(id, message));
      api.check("broadcastToSession", backend.broadcast(id, "{\"message\":1}"));
      api.check(
          "broadcastToSession", backend.broadcast(id, "{\"message\":\"x\",\"language\":\"xx\"}"));
      api.check("broadcastToSession", backend.broadcast("no-such-code-1", message));
      api.check(
          "broadcastToSession",
          backend.broadcast(id, "{\"message\":\"" + "x".repeat(70_000) + "\"}"));

      api.check("deleteConnection", keyless.delete(conn));
      assertThat(api.check("deleteConnection", backend.delete(conn)).status()).isEqualTo(204);
      api.check("deleteConnection", backend.delete("no-such-connection"));
    }
  }

  @Test
  void consoleFiles() {
    for (String[] page :
        new String[][] {
          {"/", "LandingPage"},
          {"/listen", "ListenPage"},
          {"/listen/blessed-shepherd-427", "ListenPageForCode"},
          {"/speak", "SpeakPage"}
        }) {
      assertThat(call("get" + page[1], "GET", page[0], null, null).status()).isEqualTo(200);
      assertThat(call("head" + page[1], "HEAD", page[0], null, null).status()).isEqualTo(200);
    }
    for (String asset :
        new String[] {
          "/console/js/protocol.js",
          "/console/css/console.css",
          "/console/vendor/qrcode-generator.LICENSE.txt"
        }) {
      Response r = call("getConsoleAsset", "GET", asset, null, null);
      assertThat(r.status()).isEqualTo(200);
      Response again =
          server.send(
              "GET", asset, null, null, Map.of("If-Modified-Since", r.header("Last-Modified")));
      assertThat(api.check("getConsoleAsset", again).status()).isEqualTo(304);
      call("headConsoleAsset", "HEAD", asset, null, null);
    }
    call("getConsoleAsset", "GET", "/console/js/nothing-here.js", null, null);
    call("getConsoleAsset", "GET", "/console/icons/icon-192.png", null, null);
    call("getConsoleAsset", "GET", "/console/icons/icon.svg", null, null);
    Response manifest = call("getWebAppManifest", "GET", "/manifest.webmanifest", null, null);
    assertThat(manifest.status()).isEqualTo(200);
    Response same =
        server.send(
            "GET",
            "/manifest.webmanifest",
            null,
            null,
            Map.of("If-None-Match", manifest.header("ETag")));
    assertThat(api.check("getWebAppManifest", same).status()).isEqualTo(304);
    call("headWebAppManifest", "HEAD", "/manifest.webmanifest", null, null);
    Response page = call("getSpeakPage", "GET", "/speak", null, null);
    Response samePage =
        server.send("GET", "/speak", null, null, Map.of("If-None-Match", page.header("ETag")));
    assertThat(api.check("getSpeakPage", samePage).status()).isEqualTo(304);
  }

  @Test
  void webSocketHandshake() throws IOException {
    String id = server.createSession(alice, "en");
    assertThat(handshake("sessionId=" + id, Map.of()).status()).isEqualTo(101);
    assertThat(handshake("sessionId=" + id, Map.of("Sec-WebSocket-Version", "8")).status())
        .isEqualTo(426);
    assertThat(handshake("sessionId=" + id, Map.of("Sec-WebSocket-Key", "short")).status())
        .isEqualTo(400);
  }

  /** A raw upgrade of {@code /ws}: its status, headers and body, validated. */
  private Response handshake(String query, Map<String, String> headers) throws IOException {
    try (RawSocket socket = RawSocket.connect(server.port())) {
      String head = socket.upgrade(query, headers);
      String[] lines = head.split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> h = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          h.put(
              lines[i].substring(0, colon).trim().toLowerCase(),
              lines[i].substring(colon + 1).trim());
        }
      }
      String body = "";
      if (status != 101 && h.containsKey("content-length")) {
        int length = Integer.parseInt(h.get("content-length"));
        String rest = socket.readAll(Duration.ofMillis(500));
        body = rest.substring(0, Math.min(length, rest.length()));
      }
      return api.check("openWebSocket", status, h, body);
    }
  }
}
