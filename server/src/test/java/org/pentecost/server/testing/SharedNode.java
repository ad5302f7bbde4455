package org.pentecost.server.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base of an integration test class whose tests share one node: started before the first test
 * with the settings the class gives its constructor, stopped after the last. Alice is the user who
 * creates sessions and speaks, Bob another user; {@link #clients} connects listeners, and speakers
 * and workers with Alice's token.
 *
 * <pre>{@code
 * class AudioIT extends SharedNode {
 *   AudioIT() {
 *     super(SharedNode.loopback("audio.replayWindow", "400ms"));
 *   }
 * }
 * }</pre>
 *
 * <p>The class's tests run on one instance of it, so that the node is a field like any other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SharedNode {
  private final Map<String, String> settings;

  /** The node, from the first test to the last. */
  protected TestServer server;

  /** A speaker token for the user {@code alice}, who creates the tests' sessions. */
  protected String alice;

  /** A speaker token for the user {@code bob}, who owns none of them. */
  protected String bob;

  /** Listeners, and speakers and workers signed in as alice, on {@link #server}. */
  protected Clients clients;

  protected SharedNode(Map<String, String> settings) {
    this.settings = Map.copyOf(settings);
  }

  /**
   * Settings for tests that connect many clients from this machine: sessions may be created 1000
   * times an hour, and 127.0.0.0/8 is a trusted network (no per-IP join limits); then {@code
   * keyValues}, key after value, e.g. {@code "audio.replayWindow", "400ms"}.
   */
  public static Map<String, String> loopback(String... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("a value for every key: " + String.join(", ", keyValues));
    }
    Map<String, String> s = new HashMap<>();
    s.put("limits.sessionCreatesPerHour", "1000");
    s.put("limits.trustedNetworks", "127.0.0.0/8");
    for (int i = 0; i < keyValues.length; i += 2) {
      s.put(keyValues[i], keyValues[i + 1]);
    }
    return s;
  }

  @BeforeAll
  final void startNode(@TempDir Path dir) {
    server = TestServer.start(dir, settings);
    alice = server.token("alice");
    bob = server.token("bob");
    clients = Clients.of(server, alice);
  }

  @AfterAll
  final void stopNode() {
    if (server != null) {
      server.close();
    }
  }
}
