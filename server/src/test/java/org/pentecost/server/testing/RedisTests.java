package org.pentecost.server.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.pentecost.server.config.ConfigLoader;
import org.pentecost.server.config.PentecostConfig;

/**
 * What the Redis integration tests share: the Redis they use ({@code PENTECOST_TEST_REDIS_URL},
 * default redis://127.0.0.1:6379), a random key prefix per test so that runs never clash, and the
 * rule for a missing Redis: outside CI the test is skipped with a clear message, with the
 * environment variable {@code CI} set it fails.
 */
public final class RedisTests {
  public static final String URL =
      System.getenv().getOrDefault("PENTECOST_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  private RedisTests() {}

  /** Skips (outside CI) or fails (CI) the calling test unless Redis answers at {@link #URL}. */
  public static void requireRedis() {
    String problem = pingProblem(URL);
    if (problem != null) {
      unavailable("no Redis reachable at " + URL + " (" + problem + ")");
    }
  }

  /** Skips or fails, by the same rule, a test that cannot run here. */
  public static void unavailable(String why) {
    if (System.getenv("CI") != null) {
      throw new AssertionError(why + "; CI is set, so this is a failure, not a skip");
    }
    String message = why + "; skipping (start one, e.g. `redis-server --daemonize yes`)";
    if (TOLD.add(why)) {
      System.err.println("[Redis tests] " + message);
    }
    assumeTrue(false, message);
  }

  private static final java.util.Set<String> TOLD =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Null if Redis answers PING at {@code url}, else what went wrong. */
  public static String pingProblem(String url) {
    try (RedisTestClient client = new RedisTestClient(url)) {
      Object pong = client.call("PING");
      return "PONG".equals(pong) ? null : "PING answered " + pong;
    } catch (RuntimeException e) {
      return e.getCause() != null ? e.getCause().toString() : e.toString();
    }
  }

  /** A fresh key prefix, e.g. {@code pentecost-test:3f2a9c1e:}. */
  public static String randomPrefix() {
    return "pentecost-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  /** Config overrides for a node on Redis at {@code url} with keys under {@code prefix}. */
  public static Map<String, String> nodeSettings(String url, String prefix) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("store.type", "redis");
    settings.put("store.redis.url", url);
    settings.put("store.redis.keyPrefix", prefix);
    return settings;
  }

  /** The store configuration for {@code settings} over the defaults. */
  public static PentecostConfig.Store storeConfig(Map<String, String> settings) {
    ConfigLoader loader = new ConfigLoader().env(Map.of());
    settings.forEach(loader::flag);
    return loader.load().store();
  }

  /** A session's listeners as Redis holds them: the sum over every node's fields. */
  public static long listenersCounted(String url, String prefix, String sessionId) {
    try (RedisTestClient client = new RedisTestClient(url)) {
      List<?> fields = (List<?>) client.call("HVALS", prefix + "listeners:{" + sessionId + "}");
      return fields.stream().mapToLong(v -> Long.parseLong(String.valueOf(v))).sum();
    }
  }

  /** The pub/sub channel of a session's audio in one language, under {@code prefix}. */
  public static String audioChannel(String prefix, String sessionId, String language) {
    return prefix + "audio:{" + sessionId + "}:" + language;
  }

  /** How many clients (nodes) are subscribed to {@code channel}: PUBSUB NUMSUB. */
  public static long subscribers(String url, String channel) {
    try (RedisTestClient client = new RedisTestClient(url)) {
      Object reply = client.call("PUBSUB", "NUMSUB", channel);
      return Long.parseLong(String.valueOf(((List<?>) reply).get(1)));
    }
  }

  /** Deletes the keys a test wrote; quiet if Redis is gone. */
  public static void deleteKeys(String url, String prefix) {
    try (RedisTestClient client = new RedisTestClient(url)) {
      client.deleteKeys(prefix);
    } catch (RuntimeException ignored) {
      // Redis went away (a test stopped it); nothing to clean
    }
  }
}
