package org.pentecost.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.TestBackend;
import org.pentecost.server.testing.TestServer;

/** What the route integration tests share: a node's settings and the events a backend received. */
final class RouteTests {
  /** The paths of the backend's routes, as {@link #settings} configures them. */
  static final List<String> PATHS =
      List.of("/connect", "/disconnect", "/default", "/progress", "/heartbeat");

  private RouteTests() {}

  /**
   * A node whose routes all lead to {@code backend} ({@code $connect} → /connect, {@code
   * $disconnect} → /disconnect, {@code $default} → /default, {@code progress}, and {@code
   * heartbeat}, which the built-in action shadows), with short time-outs; then {@code keyValues}.
   */
  static Map<String, String> settings(TestBackend backend, String... keyValues) {
    Map<String, String> s = new HashMap<>(SharedNode.loopback());
    s.put(
        "backend.routes",
        "$connect="
            + backend.url("/connect")
            + ",$disconnect="
            + backend.url("/disconnect")
            + ",$default="
            + backend.url("/default")
            + ",progress="
            + backend.url("/progress")
            + ",heartbeat="
            + backend.url("/heartbeat"));
    s.put("backend.signingSecret", TestBackend.SECRET);
    s.put("backend.timeout", "1s");
    s.put("backend.breakerOpenFor", "1s");
    for (int i = 0; i < keyValues.length; i += 2) {
      s.put(keyValues[i], keyValues[i + 1]);
    }
    return s;
  }

  /** The requests to {@code path} about connection {@code id}, in arrival order. */
  static List<TestBackend.Request> requests(TestBackend backend, String path, String id) {
    return backend.requests(path).stream().filter(r -> id.equals(connectionId(r))).toList();
  }

  /** Waits (15 s) for {@code count} events to {@code path} about connection {@code id}. */
  static List<JsonObject> await(TestBackend backend, String path, String id, int count) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> requests(backend, path, id).size() >= count);
    return requests(backend, path, id).stream().map(TestBackend.Request::json).toList();
  }

  /** The one event to {@code path} about connection {@code id} (waits for it). */
  static JsonObject only(TestBackend backend, String path, String id) {
    List<JsonObject> events = await(backend, path, id, 1);
    assertThat(events).as("events to %s about %s", path, id).hasSize(1);
    return events.get(0);
  }

  /** The connection id of the latest {@code $connect} about {@code session}. */
  static String lastConnectId(TestBackend backend, String session) {
    List<TestBackend.Request> connects =
        backend.requests("/connect").stream()
            .filter(
                r ->
                    session.equals(
                        r.json()
                            .getJsonObject("requestContext")
                            .getJsonObject("authorizer")
                            .getString("sessionId")))
            .toList();
    assertThat(connects).isNotEmpty();
    return connectionId(connects.get(connects.size() - 1));
  }

  /** Checks that nothing reaches {@code path} about {@code id} for {@code quiet}. */
  static void quietFor(TestBackend backend, String path, String id, Duration quiet) {
    int before = requests(backend, path, id).size();
    Awaitility.await().pollDelay(quiet).atMost(quiet.plusSeconds(1)).until(() -> true);
    assertThat(requests(backend, path, id)).as("requests to %s about %s", path, id).hasSize(before);
  }

  /** Every request the backend received carried a valid signature. */
  static void assertAllSigned(TestBackend backend) {
    for (String path : PATHS) {
      assertThat(backend.requests(path))
          .as("requests to %s are signed", path)
          .allMatch(TestBackend.Request::signed);
    }
  }

  /**
   * The sum of the series of {@code name} whose labels contain {@code label} (e.g. {@code
   * outcome="ok"}).
   */
  static double metric(TestServer server, String name, String label) {
    return server
        .get("/metrics")
        .body()
        .lines()
        .filter(l -> l.startsWith(name + "{") && l.contains(label))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static String connectionId(TestBackend.Request r) {
    return r.json().getJsonObject("requestContext").getString("connectionId");
  }
}
