package org.pentecost.server.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Several real nodes sharing the test Redis under a fresh key prefix and one token secret: what a
 * cluster test needs, started in one call and cleaned up (nodes closed, keys deleted) in one.
 */
public final class RedisNodes implements AutoCloseable {
  private static final String SECRET = "redis-nodes-shared-token-secret-0123456789";

  private final String prefix = RedisTests.randomPrefix();
  private final List<TestServer> nodes = new ArrayList<>();

  private RedisNodes() {}

  /**
   * Starts {@code count} nodes on the test Redis, each in a directory of its own under {@code dir},
   * with the cluster settings plus {@code settings} (key paths to values).
   */
  public static RedisNodes start(Path dir, int count, Map<String, String> settings) {
    RedisNodes nodes = new RedisNodes();
    Map<String, String> all = new HashMap<>(RedisTests.nodeSettings(RedisTests.URL, nodes.prefix));
    all.put("auth.hmacSecret", SECRET);
    all.putAll(settings);
    try {
      for (int i = 0; i < count; i++) {
        nodes.nodes.add(TestServer.start(Files.createDirectories(dir.resolve("node-" + i)), all));
      }
    } catch (java.io.IOException | RuntimeException e) {
      nodes.close();
      throw new IllegalStateException("could not start " + count + " nodes: " + e, e);
    }
    return nodes;
  }

  /** Node {@code i} (0-based). */
  public TestServer node(int i) {
    return nodes.get(i);
  }

  /** The key prefix the nodes share (their events channel is {@code prefix + "events"}). */
  public String prefix() {
    return prefix;
  }

  /** Waits until every node listens on the events channel, so that each hears the others. */
  public RedisNodes awaitConnected() {
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> RedisTests.subscribers(RedisTests.URL, prefix + "events") >= nodes.size());
    return this;
  }

  @Override
  public void close() {
    nodes.forEach(TestServer::close);
    RedisTests.deleteKeys(RedisTests.URL, prefix);
  }
}
