package org.pentecost.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.ManagementClient;
import org.pentecost.server.testing.TestBackend;
import org.pentecost.server.testing.TestBackend.Answer;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * {@code $disconnect} exactly once, after the connection is gone, for every way a connection ends:
 * idle time-out, a close through the management API, a refresh that replaces it, a dropped TCP
 * connection, and the node's drain on stop; retried while the backend fails.
 */
class DisconnectRouteIT {
  @TempDir Path dir;
  private TestBackend backend;
  private final List<WsClient> opened = new ArrayList<>();

  @BeforeEach
  void backend() {
    backend = new TestBackend();
  }

  @AfterEach
  void close() {
    opened.forEach(WsClient::close);
    RouteTests.assertAllSigned(backend);
    backend.close();
  }

  @Test
  void anIdleConnectionIsDisconnectedOnce() {
    try (TestServer server =
        start("connections.idleTimeout", "1500ms", "connections.sweepInterval", "100ms")) {
      String session = server.createSession(server.token("alice"), "en");
      WsClient listener = open(Clients.of(server, null).listener(session));
      String id = connectionId(listener);

      assertThat(listener.awaitClose()).isEqualTo(4000);
      JsonObject ctx = RouteTests.only(backend, "/disconnect", id).getJsonObject("requestContext");

      assertThat(ctx.getInteger("disconnectStatusCode")).isEqualTo(4000);
      assertThat(ctx.getString("disconnectReason")).contains("idle");
      RouteTests.quietFor(backend, "/disconnect", id, Duration.ofMillis(500));
    }
  }

  @Test
  void aConnectionClosedThroughTheManagementApiIsDisconnectedOnce() {
    Map<String, String> settings = new HashMap<>(RouteTests.settings(backend));
    settings.putAll(ManagementClient.settings());
    try (TestServer server = TestServer.start(dir, settings)) {
      String session = server.createSession(server.token("alice"), "en");
      WsClient listener = open(Clients.of(server, null).listener(session));
      String id = connectionId(listener);

      ManagementClient management = ManagementClient.of(server);
      assertThat(management.delete(id).status()).isEqualTo(204);
      assertThat(listener.awaitClose()).isEqualTo(4004);
      JsonObject ctx = RouteTests.only(backend, "/disconnect", id).getJsonObject("requestContext");
      assertThat(ctx.getInteger("disconnectStatusCode")).isEqualTo(4004);
      assertThat(management.delete(id).status()).isEqualTo(410);
      RouteTests.quietFor(backend, "/disconnect", id, Duration.ofMillis(500));
    }
  }

  @Test
  void aRefreshDisconnectsTheOldConnectionOnceAndConnectsTheNewOne() {
    try (TestServer server = start("connections.refreshOverlap", "300ms")) {
      String session = server.createSession(server.token("alice"), "en");
      WsClient old = open(Clients.of(server, null).listener(session, "targetLanguage=es"));
      String oldId = connectionId(old);

      WsClient fresh =
          open(
              Clients.of(server, null)
                  .listener(session, "targetLanguage=es", "previousConnectionId=" + oldId));
      String freshId = connectionId(fresh);
      fresh.awaitType("connectionRefreshComplete");

      assertThat(old.awaitClose()).isEqualTo(4002);
      JsonObject ctx =
          RouteTests.only(backend, "/disconnect", oldId).getJsonObject("requestContext");
      assertThat(ctx.getInteger("disconnectStatusCode")).isEqualTo(4002);
      RouteTests.only(backend, "/connect", freshId);
      RouteTests.quietFor(backend, "/disconnect", oldId, Duration.ofMillis(500));
      assertThat(RouteTests.requests(backend, "/disconnect", freshId)).isEmpty();
      assertThat(server.listenerCount(session)).isEqualTo(1);
    }
  }

  @Test
  void aDroppedConnectionIsDisconnectedOnceAndAFailedDisconnectIsRetried() {
    AtomicInteger attempts = new AtomicInteger();
    backend.answer(
        "/disconnect",
        r -> attempts.incrementAndGet() == 1 ? Answer.of(503, "busy") : Answer.empty());
    try (TestServer server = start()) {
      String session = server.createSession(server.token("alice"), "en");
      WsClient listener = open(Clients.of(server, null).listener(session));
      String id = connectionId(listener);

      listener.abort();
      List<JsonObject> tries = RouteTests.await(backend, "/disconnect", id, 2);

      assertThat(tries.get(0).getJsonObject("requestContext").getInteger("disconnectStatusCode"))
          .isIn(1006, 1000);
      assertThat(tries)
          .extracting(e -> e.getJsonObject("requestContext").getString("requestId"))
          .as("a retry repeats the same event")
          .containsOnly(tries.get(0).getJsonObject("requestContext").getString("requestId"));
      List<TestBackend.Request> raw = RouteTests.requests(backend, "/disconnect", id);
      assertThat(raw.get(1).receivedAt() - raw.get(0).receivedAt())
          .as("after a backoff")
          .isGreaterThanOrEqualTo(900);
      RouteTests.quietFor(backend, "/disconnect", id, Duration.ofMillis(1500));
      assertThat(RouteTests.metric(server, "pentecost_backend_disconnect_retries_total", ""))
          .isEqualTo(1);
    }
  }

  @Test
  void stoppingTheNodeDisconnectsEveryConnectionOnceBeforeItReturns() {
    TestServer server = start();
    List<String> ids = new ArrayList<>();
    try {
      String alice = server.token("alice");
      String session = server.createSession(alice, "en");
      Clients clients = Clients.of(server, alice);
      ids.add(connectionId(open(clients.speaker(session))));
      ids.add(connectionId(open(clients.listener(session))));
      ids.add(connectionId(open(clients.listener(session, "targetLanguage=fr"))));
    } finally {
      server.stop();
    }
    // stop() returned: every $disconnect is already at the backend, once, as a going-away close.
    for (String id : ids) {
      List<TestBackend.Request> got = RouteTests.requests(backend, "/disconnect", id);
      assertThat(got).as("$disconnect of %s", id).hasSize(1);
      assertThat(
              got.get(0).json().getJsonObject("requestContext").getInteger("disconnectStatusCode"))
          .isEqualTo(1001);
      assertThat(RouteTests.requests(backend, "/connect", id)).hasSize(1);
    }
  }

  private TestServer start(String... keyValues) {
    return TestServer.start(dir, RouteTests.settings(backend, keyValues));
  }

  private WsClient open(WsClient c) {
    opened.add(c);
    return c;
  }

  private static String connectionId(WsClient c) {
    return c.seen().get(0).get("connectionId").asText();
  }
}
