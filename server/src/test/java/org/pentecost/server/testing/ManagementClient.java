package org.pentecost.server.testing;

import java.util.Map;

/**
 * A backend calling the management API of a node with a backend key, and the clients it manages:
 * connections joined with their {@code connectionId}.
 */
public final class ManagementClient {
  /** Two valid backend keys (rotation): give a node {@link #settings()}. */
  public static final String KEY = "backend-key-0123456789abcdef";

  public static final String NEXT_KEY = "backend-key-next-fedcba9876543210";

  private final TestServer node;
  private final String key;

  private ManagementClient(TestServer node, String key) {
    this.node = node;
    this.key = key;
  }

  /** Calls {@code node} with {@link #KEY}. */
  public static ManagementClient of(TestServer node) {
    return new ManagementClient(node, KEY);
  }

  /** Calls {@code node} with {@code key} (null: no Authorization header). */
  public static ManagementClient of(TestServer node, String key) {
    return new ManagementClient(node, key);
  }

  /** {@code backend.keys}: {@link #KEY} and {@link #NEXT_KEY}. */
  public static Map<String, String> settings() {
    return Map.of("backend.keys", KEY + "," + NEXT_KEY);
  }

  public TestServer.Response post(String connectionId, String body) {
    return node.send("POST", "/@connections/" + connectionId, key, body);
  }

  public TestServer.Response get(String connectionId) {
    return node.send("GET", "/@connections/" + connectionId, key, null);
  }

  public TestServer.Response delete(String connectionId) {
    return node.send("DELETE", "/@connections/" + connectionId, key, null);
  }

  public TestServer.Response broadcast(String sessionId, String body) {
    return node.send("POST", "/sessions/" + sessionId + "/broadcast", key, body);
  }

  /** {@code GET /sessions/{id}/connections?query}. */
  public TestServer.Response list(String sessionId, String query) {
    return node.send(
        "GET",
        "/sessions/" + sessionId + "/connections" + (query.isEmpty() ? "" : "?" + query),
        key,
        null);
  }

  /** A client that has joined, and its {@code connectionId} (from its {@code sessionJoined}). */
  public record Joined(WsClient client, String connectionId) implements AutoCloseable {
    @Override
    public void close() {
      client.close();
    }
  }

  /** Connects to {@code node} with {@code query} and waits for {@code sessionJoined}. */
  public static Joined join(TestServer node, String query) {
    WsClient c = WsClient.connect(node, query);
    String id = c.awaitType("sessionJoined").get("connectionId").asText();
    return new Joined(c, id);
  }
}
