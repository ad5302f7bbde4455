package org.pentecost.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;

/**
 * The clients a test connects to one node (or to a proxy in front of nodes), by role: listeners,
 * and speakers and translation workers that sign in with one user's token. Parameters are query
 * parameters after the session's, e.g. {@code "targetLanguage=es"}.
 *
 * <p>Two ways to be in: {@link #listener} and {@link #speaker} check that the client's first
 * message is {@code sessionJoined}; {@link #join} waits for it, skipping anything before. The
 * {@code connect...} methods read nothing, for tests that look at the first message themselves.
 */
public final class Clients {
  private final int port;
  private final String token;

  private Clients(int port, String token) {
    this.port = port;
    this.token = token;
  }

  /** Clients of {@code node}; its speakers and workers use {@code token}. */
  public static Clients of(TestServer node, String token) {
    return new Clients(node.port(), token);
  }

  /** A listener that has joined: its first message was {@code sessionJoined}. */
  public WsClient listener(String sessionId, String... params) {
    return joined(connect(query(sessionId, params)));
  }

  /** A speaker that has joined: its first message was {@code sessionJoined}. */
  public WsClient speaker(String sessionId, String... params) {
    return joined(connectSpeaker(sessionId, params));
  }

  /** A speaker connection, nothing read yet. */
  public WsClient connectSpeaker(String sessionId, String... params) {
    return connect(query(sessionId, before(params, "role=speaker", "token=" + token)));
  }

  /** A translation worker's connection for {@code language}, nothing read yet. */
  public WsClient connectWorker(String sessionId, String language, String... params) {
    return connect(
        query(
            sessionId,
            before(params, "role=worker", "token=" + token, "targetLanguage=" + language)));
  }

  /** Connects with {@code query} and waits (10 s) for its {@code sessionJoined}. */
  public static WsClient join(TestServer node, String query) {
    return join(node.port(), query);
  }

  /** Connects to {@code /ws} on {@code port} and waits (10 s) for its {@code sessionJoined}. */
  public static WsClient join(int port, String query) {
    WsClient c = WsClient.connect(port, query, Map.of());
    c.awaitType("sessionJoined");
    return c;
  }

  /** Checks that the first message of {@code c} is {@code sessionJoined}; returns {@code c}. */
  public static WsClient joined(WsClient c) {
    assertThat(c.next().get("type").asText()).isEqualTo("sessionJoined");
    return c;
  }

  /** {@code sessionId=...&param&param...}. */
  public static String query(String sessionId, String... params) {
    StringBuilder q = new StringBuilder("sessionId=").append(sessionId);
    for (String p : params) {
      q.append('&').append(p);
    }
    return q.toString();
  }

  private WsClient connect(String query) {
    return WsClient.connect(port, query, Map.of());
  }

  private static String[] before(String[] params, String... first) {
    String[] all = Arrays.copyOf(first, first.length + params.length);
    System.arraycopy(params, 0, all, first.length, params.length);
    return all;
  }
}
