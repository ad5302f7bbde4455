package org.pentecost.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * The webhook events a {@link TestBackend} received at one path, as a receiver reads them: each
 * request's JSON event ({@code id}, {@code type}, {@code timestamp}, {@code sessionId}, {@code
 * data}), every retry included.
 */
public final class HookLog {
  private final TestBackend backend;
  private final String path;

  public HookLog(TestBackend backend, String path) {
    this.backend = backend;
    this.path = path;
  }

  public HookLog(TestBackend backend) {
    this(backend, "/hooks");
  }

  /** Config for a node that sends its webhooks here, signed with {@link TestBackend#SECRET}. */
  public Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("backend.webhooks", backend.url(path));
    s.put("backend.signingSecret", TestBackend.SECRET);
    return s;
  }

  /** Every event received so far, retries included, in arrival order. */
  public List<JsonObject> all() {
    return backend.requests(path).stream().map(TestBackend.Request::json).toList();
  }

  /** Every event of {@code type} about {@code sessionId} received so far (retries included). */
  public List<JsonObject> of(String type, String sessionId) {
    return all().stream()
        .filter(e -> e.getString("type").equals(type))
        .filter(e -> sessionId.equals(e.getString("sessionId")))
        .toList();
  }

  /** Waits (15 s) for {@code n} events of {@code type} about {@code sessionId}; returns them. */
  public List<JsonObject> await(String type, String sessionId, int n) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> of(type, sessionId).size() >= n);
    return of(type, sessionId);
  }

  /** Waits for the first event of {@code type} about {@code sessionId}. */
  public JsonObject await(String type, String sessionId) {
    return await(type, sessionId, 1).get(0);
  }

  /** Every request so far carried a valid signature. */
  public void assertAllSigned() {
    assertThat(backend.requests(path)).isNotEmpty().allMatch(TestBackend.Request::signed);
  }
}
