package org.pentecost.server.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.TestBackend;
import org.pentecost.server.testing.TestBackend.Answer;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * Route integrations against a real HTTP backend: {@code $connect} allows, refuses and adds
 * context; custom routes and {@code $default} answer the client; events of one connection arrive in
 * order and past the bound the client is throttled; {@code $disconnect} follows a client's close
 * once. Every request is signed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteIntegrationIT {
  private TestBackend backend;
  private TestServer server;
  private Clients clients;
  private String alice;
  private final List<WsClient> opened = new ArrayList<>();

  @BeforeAll
  void start(@TempDir Path dir) {
    backend = new TestBackend();
    server =
        TestServer.start(dir, RouteTests.settings(backend, "backend.maxPendingPerConnection", "8"));
    alice = server.token("alice");
    clients = Clients.of(server, alice);
  }

  @AfterAll
  void stop() {
    server.close();
    backend.close();
  }

  @BeforeEach
  void reset() {
    for (String path : RouteTests.PATHS) {
      backend.answer(path, Answer.empty());
    }
  }

  @AfterEach
  void everyRequestSigned() {
    opened.forEach(WsClient::close);
    opened.clear();
    RouteTests.assertAllSigned(backend);
  }

  @Test
  void connectCarriesTheHandshakeWithCredentialsRedacted() {
    String session = server.createSession(alice, "en");
    WsClient listener =
        open(
            WsClient.connect(
                server.port(),
                Clients.query(session, "targetLanguage=es", "app=demo"),
                Map.of("User-Agent", "route-test/1.0", "Authorization", "Bearer secret-value")));
    JsonNode joined = Clients.joined(listener).seen().get(0);
    String id = joined.get("connectionId").asText();

    JsonObject event = RouteTests.only(backend, "/connect", id);
    JsonObject ctx = event.getJsonObject("requestContext");
    assertThat(ctx.getString("routeKey")).isEqualTo("$connect");
    assertThat(ctx.getString("eventType")).isEqualTo("CONNECT");
    assertThat(ctx.getString("requestId")).isNotBlank();
    assertThat(ctx.getLong("connectedAt")).isPositive();
    assertThat(ctx.getLong("requestTimeEpoch")).isGreaterThanOrEqualTo(ctx.getLong("connectedAt"));
    assertThat(ctx.getString("domainName")).isEqualTo("127.0.0.1:" + server.port());
    assertThat(ctx.getString("apiId")).isEqualTo(server.server().nodeId());
    assertThat(ctx.getString("stage")).isNotBlank();
    assertThat(ctx.getJsonObject("identity").getString("sourceIp")).isEqualTo("127.0.0.1");
    assertThat(ctx.getJsonObject("identity").getString("userAgent")).isEqualTo("route-test/1.0");
    JsonObject authorizer = ctx.getJsonObject("authorizer");
    assertThat(authorizer.getValue("principalId")).isNull();
    assertThat(authorizer.getString("sessionId")).isEqualTo(session);
    assertThat(authorizer.getString("role")).isEqualTo("listener");
    assertThat(authorizer.getString("targetLanguage")).isEqualTo("es");
    assertThat(event.getValue("body")).isNull();
    assertThat(event.getBoolean("isBase64Encoded")).isFalse();
    assertThat(event.getJsonObject("queryStringParameters").getMap())
        .containsEntry("sessionId", session)
        .containsEntry("targetLanguage", "es")
        .containsEntry("app", "demo");
    assertThat(event.getJsonObject("headers").getString("Authorization"))
        .isEqualTo(RouteEvent.REDACTED);

    // A speaker's token is redacted too; who it is, is in the authorizer.
    WsClient speaker = open(clients.speaker(session));
    String speakerId = speaker.seen().get(0).get("connectionId").asText();
    JsonObject speakerEvent = RouteTests.only(backend, "/connect", speakerId);
    assertThat(speakerEvent.getJsonObject("queryStringParameters").getString("token"))
        .isEqualTo(RouteEvent.REDACTED);
    assertThat(speakerEvent.encode()).doesNotContain(alice);
    JsonObject speakerAuth =
        speakerEvent.getJsonObject("requestContext").getJsonObject("authorizer");
    assertThat(speakerAuth.getString("principalId")).isEqualTo("alice");
    assertThat(speakerAuth.getString("role")).isEqualTo("speaker");
  }

  @Test
  void aRefusingConnectClosesWith4403AndLeavesNoTrace() {
    String session = server.createSession(alice, "en");
    backend.answer("/connect", Answer.of(403, "{\"message\":\"not on the guest list\"}"));

    WsClient refused = open(WsClient.connect(server, Clients.query(session)));
    JsonNode error = refused.next();

    assertThat(error.get("type").asText()).isEqualTo("error");
    assertThat(error.get("code").asText()).isEqualTo("CONNECTION_REFUSED");
    assertThat(refused.awaitClose()).isEqualTo(4403);
    assertThat(refused.hasSeen("sessionJoined")).isFalse();
    assertThat(server.listenerCount(session)).isZero();
    // Nothing owes the backend a $disconnect for a connection it refused.
    String refusedId = RouteTests.lastConnectId(backend, session);
    RouteTests.quietFor(backend, "/disconnect", refusedId, Duration.ofMillis(500));
  }

  @Test
  void aFailingConnectClosesWith4503() {
    String session = server.createSession(alice, "en");
    backend.answer("/connect", Answer.of(500, "oops"));

    WsClient failed = open(WsClient.connect(server, Clients.query(session)));
    JsonNode error = failed.next();

    assertThat(error.get("code").asText()).isEqualTo("INTEGRATION_FAILED");
    assertThat(error.get("retryAfterMs").asLong()).isPositive();
    assertThat(failed.awaitClose()).isEqualTo(4503);
    assertThat(server.listenerCount(session)).isZero();
  }

  @Test
  void theContextConnectAnswersIsInEveryLaterEventAndItsBodyNeverReachesTheClient() {
    String session = server.createSession(alice, "en");
    backend.answer(
        "/connect",
        Answer.of(200, "{\"context\":{\"plan\":\"gold\",\"seat\":12,\"principalId\":\"spoof\"}}"));

    WsClient listener = open(clients.listener(session)); // its first message is sessionJoined
    String id = listener.seen().get(0).get("connectionId").asText();
    listener.send("{\"action\":\"progress\",\"step\":1}");
    JsonObject progress = RouteTests.await(backend, "/progress", id, 1).get(0);
    listener.closeNormally();
    JsonObject disconnect = RouteTests.await(backend, "/disconnect", id, 1).get(0);

    for (JsonObject event : List.of(progress, disconnect)) {
      JsonObject authorizer = event.getJsonObject("requestContext").getJsonObject("authorizer");
      assertThat(authorizer.getString("plan")).isEqualTo("gold");
      assertThat(authorizer.getInteger("seat")).isEqualTo(12);
      assertThat(authorizer.getValue("principalId")).as("Pentecost's own fields win").isNull();
    }
    assertThat(listener.seen()).noneMatch(m -> m.has("context"));
  }

  @Test
  void aCustomRouteAnswersTheClientAndItsBodyIsTheMessageAsSent() {
    String session = server.createSession(alice, "en");
    backend.answer(
        "/progress",
        r ->
            Answer.of(
                200, "{\"type\":\"progressSaved\",\"echo\":" + r.json().getString("body") + "}"));
    WsClient listener = open(clients.listener(session));
    String id = listener.seen().get(0).get("connectionId").asText();

    String sent = "{\"action\":\"progress\",  \"percent\": 42 ,\"requestId\":\"r1\"}";
    listener.send(sent);
    JsonNode reply = listener.next();

    assertThat(reply.get("type").asText()).isEqualTo("progressSaved");
    assertThat(reply.get("echo").get("percent").asInt()).isEqualTo(42);
    JsonObject event = RouteTests.only(backend, "/progress", id);
    assertThat(event.getString("body")).isEqualTo(sent);
    JsonObject ctx = event.getJsonObject("requestContext");
    assertThat(ctx.getString("routeKey")).isEqualTo("progress");
    assertThat(ctx.getString("eventType")).isEqualTo("MESSAGE");
    assertThat(ctx.getString("messageId")).isNotBlank();
    assertThat(ctx.getString("requestId")).isNotEqualTo(ctx.getString("messageId"));
  }

  @Test
  void defaultTakesUnknownActionsAndTextThatIsNotAnObjectButBuiltInsKeepPriority() {
    String session = server.createSession(alice, "en");
    backend.answer("/default", r -> Answer.of(200, "{\"type\":\"fromDefault\"}"));
    WsClient listener = open(clients.listener(session));
    String id = listener.seen().get(0).get("connectionId").asText();

    listener.send("{\"action\":\"nope\"}");
    assertThat(listener.next().get("type").asText()).isEqualTo("fromDefault");
    listener.send("not json at all");
    assertThat(listener.next().get("type").asText()).isEqualTo("fromDefault");
    listener.send("[1,2]");
    assertThat(listener.next().get("type").asText()).isEqualTo("fromDefault");
    // heartbeat has a route configured too, but the built-in action keeps priority.
    listener.send("{\"action\":\"heartbeat\"}");
    assertThat(listener.next().get("type").asText()).isEqualTo("heartbeatAck");

    List<JsonObject> events = RouteTests.await(backend, "/default", id, 3);
    assertThat(events)
        .extracting(e -> e.getString("body"))
        .containsExactly("{\"action\":\"nope\"}", "not json at all", "[1,2]");
    assertThat(events)
        .allMatch(e -> e.getJsonObject("requestContext").getString("routeKey").equals("$default"));
    assertThat(backend.requests("/heartbeat")).isEmpty();
  }

  @Test
  void anEmptyAnswerSendsNothingAndAFailedOneIsAnErrorWithTheRequestId() {
    String session = server.createSession(alice, "en");
    WsClient listener = open(clients.listener(session));
    String id = listener.seen().get(0).get("connectionId").asText();

    listener.send("{\"action\":\"progress\",\"requestId\":1}");
    RouteTests.await(backend, "/progress", id, 1);
    listener.send("{\"action\":\"heartbeat\",\"requestId\":2}");
    assertThat(listener.next().get("type").asText())
        .as("nothing came for the empty answer")
        .isEqualTo("heartbeatAck");

    backend.answer("/progress", Answer.of(404, "{\"type\":\"never shown\"}"));
    listener.send("{\"action\":\"progress\",\"requestId\":\"p3\"}");
    JsonNode error = listener.next();
    assertThat(error.get("code").asText()).isEqualTo("INTEGRATION_FAILED");
    assertThat(error.get("requestId").asText()).isEqualTo("p3");
    listener.send("{\"action\":\"heartbeat\"}");
    assertThat(listener.next().get("type").asText()).as("still open").isEqualTo("heartbeatAck");
  }

  @Test
  void oneConnectionsEventsArriveInOrderAndPastTheBoundTheClientIsThrottled() throws Exception {
    String session = server.createSession(alice, "en");
    backend.answer(
        "/progress",
        r ->
            Answer.of(
                    200,
                    "{\"type\":\"ack\",\"n\":"
                        + new JsonObject(r.json().getString("body")).getInteger("n")
                        + "}")
                .after(Duration.ofMillis(ThreadLocalRandom.current().nextInt(30))));
    WsClient listener = open(clients.listener(session));
    String id = listener.seen().get(0).get("connectionId").asText();

    for (int n = 0; n < 8; n++) {
      listener.send("{\"action\":\"progress\",\"n\":" + n + "}");
    }
    for (int n = 0; n < 8; n++) {
      assertThat(listener.next().get("n").asInt()).as("reply %d", n).isEqualTo(n);
    }
    assertThat(RouteTests.await(backend, "/progress", id, 8))
        .extracting(e -> new JsonObject(e.getString("body")).getInteger("n"))
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);

    // A slow backend: 8 wait or are in flight (the bound), the rest are throttled at once.
    backend.answer("/progress", Answer.of(200, "{\"type\":\"ack\"}").after(Duration.ofMillis(300)));
    for (int n = 0; n < 11; n++) {
      listener.send("{\"action\":\"progress\",\"requestId\":" + n + "}");
    }
    List<JsonNode> got = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      got.add(listener.next());
    }
    assertThat(got)
        .filteredOn(m -> "THROTTLED".equals(m.path("code").asText()))
        .hasSize(3)
        .allMatch(m -> m.get("requestId").asInt() >= 8);
    assertThat(got).filteredOn(m -> "ack".equals(m.path("type").asText())).hasSize(8);
    assertThat(listener.isClosed()).isFalse();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> server.metric("pentecost_backend_route_lanes") == 0);
  }

  @Test
  void disconnectFollowsTheConnectionsPendingEventsOnce() throws Exception {
    String session = server.createSession(alice, "en");
    backend.answer(
        "/progress", Answer.of(200, "{\"type\":\"late\"}").after(Duration.ofMillis(300)));
    WsClient listener = open(clients.listener(session));
    String id = listener.seen().get(0).get("connectionId").asText();

    listener.send("{\"action\":\"progress\"}");
    listener.closeNormally();

    JsonObject disconnect = RouteTests.await(backend, "/disconnect", id, 1).get(0);
    TestBackend.Request progress = RouteTests.requests(backend, "/progress", id).get(0);
    TestBackend.Request gone = RouteTests.requests(backend, "/disconnect", id).get(0);
    assertThat(gone.receivedAt())
        .as("after the pending message")
        .isGreaterThanOrEqualTo(progress.receivedAt() + 250);
    JsonObject ctx = disconnect.getJsonObject("requestContext");
    assertThat(ctx.getString("eventType")).isEqualTo("DISCONNECT");
    assertThat(ctx.getInteger("disconnectStatusCode")).isEqualTo(1000);
    assertThat(disconnect.getValue("body")).isNull();
    RouteTests.quietFor(backend, "/disconnect", id, Duration.ofMillis(500));
    assertThat(RouteTests.requests(backend, "/disconnect", id)).hasSize(1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> server.metric("pentecost_backend_route_lanes") == 0);
  }

  private WsClient open(WsClient c) {
    opened.add(c);
    return c;
  }
}
