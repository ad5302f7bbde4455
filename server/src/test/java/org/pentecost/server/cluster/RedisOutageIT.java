package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pentecost.server.testing.AudioFrames.assertRun;
import static org.pentecost.server.testing.AudioFrames.drain;
import static org.pentecost.server.testing.AudioFrames.heard;
import static org.pentecost.server.testing.Clients.join;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.RedisServerProcess;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.Talker;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.TestServer.Response;
import org.pentecost.server.testing.WsClient;

/**
 * Redis stopped ({@code kill -9} of a private redis-server) and restarted empty while a speaker
 * talks: audio between connections on one node keeps flowing, new joins and session creation are
 * refused with 503 at once (the creation limit fails open), and when Redis is back everything
 * recovers by itself: the live session's record written back, counts exact again, audio between
 * nodes again, joins and creations again.
 */
class RedisOutageIT {
  private static final String SECRET = "redis-outage-it-shared-secret-0123456789";
  private static final String PREFIX = "pentecost-outage:";

  @TempDir Path dirA;
  @TempDir Path dirB;

  private static Map<String, String> settings(String url) {
    Map<String, String> s = new HashMap<>();
    s.put("store.type", "redis");
    s.put("store.redis.url", url);
    s.put("store.redis.keyPrefix", PREFIX);
    s.put("store.timeout", "500ms");
    s.put("store.nodeLease", "3s");
    s.put("auth.hmacSecret", SECRET);
    s.put("limits.trustedNetworks", "127.0.0.0/8");
    s.put("limits.sessionCreatesPerHour", "2");
    s.put("audio.replayWindow", "2s");
    return s;
  }

  /** The session's listeners as Redis holds them: the sum over every node's fields. */
  private static long countedInRedis(RedisServerProcess redis, String id) {
    return RedisTests.listenersCounted(redis.url(), PREFIX, id);
  }

  private static double failedOpen(TestServer node) {
    return node.metric("pentecost_rate_limiter_failed_open_total");
  }

  @Test
  void audioOnANodeOutlivesRedisAndEverythingRecoversWhenItComesBackEmpty() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start();
        TestServer a = TestServer.start(dirA, settings(redis.url()));
        TestServer b = TestServer.start(dirB, settings(redis.url()))) {
      String alice = a.token("alice");
      String id = a.createSession(alice, "en");
      b.createSession(alice, "en");
      Response limited = b.send("POST", "/sessions", alice, "{\"sourceLanguage\":\"en\"}");
      assertThat(limited.status()).as("the creation limit holds before").isEqualTo(429);

      String listen = "sessionId=" + id + "&targetLanguage=en";
      WsClient speaker = join(a, "sessionId=" + id + "&role=speaker&token=" + alice);
      WsClient onA1 = join(a, listen);
      WsClient onA2 = join(a, listen);
      WsClient onB1 = join(b, listen);
      WsClient onB2 = join(b, listen);
      List<WsClient> all = List.of(speaker, onA1, onA2, onB1, onB2);
      try {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> countedInRedis(redis, id) == 4 && a.listenerCount(id) == 4);
        String channel = RedisTests.audioChannel(PREFIX, id, "en");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> RedisTests.subscribers(redis.url(), channel) == 2);

        // The speaker talks, a frame every 10 ms, until told to stop.
        Talker sender = Talker.untilStopped(speaker);
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.sent() >= 50);
        List<long[]> heardOnB1 = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          heardOnB1.add(heard(onB1.nextFrame())); // the stream crosses nodes before the outage
        }

        redis.kill();
        int sentAtOutage = sender.sent();
        long start = System.nanoTime();
        for (TestServer node : List.of(a, b)) {
          Response health = node.get("/health");
          assertThat(health.status()).isEqualTo(503);
          assertThat(health.json().get("store").asText()).isEqualTo("unavailable");
          // a new join is refused at once, clearly
          try (WsClient late = WsClient.connect(node, listen)) {
            assertThat(late.next().get("code").asText()).isEqualTo("SERVICE_UNAVAILABLE");
            assertThat(late.awaitClose()).isEqualTo(4503);
          }
          // the creation limit fails open: refused because the store is down, not by the limit
          double before = failedOpen(node);
          Response create = node.send("POST", "/sessions", alice, "{\"sourceLanguage\":\"en\"}");
          assertThat(create.status()).isEqualTo(503);
          assertThat(create.code()).isEqualTo("SERVICE_UNAVAILABLE");
          assertThat(create.header("Retry-After")).isNotNull();
          assertThat(failedOpen(node)).isGreaterThan(before);
          assertThat(node.get("/sessions/" + id).status()).isEqualTo(503);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
            .as("nothing waits longer than store.timeout")
            .isLessThan(8_000);
        // listeners leave meanwhile, on both nodes
        onA2.closeNormally();
        onB2.closeNormally();
        onA2.awaitClose();
        onB2.awaitClose();
        // audio keeps flowing on the speaker's node
        int during = sender.sent();
        await().atMost(Duration.ofSeconds(5)).until(() -> sender.sent() >= during + 100);
        assertThat(speaker.isClosed()).isFalse();
        assertThat(onA1.isClosed()).isFalse();
        assertThat(onB1.isClosed()).isFalse();

        // Redis comes back, empty (no persistence): everything recovers by itself.
        redis.restart();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.get("/health").status() == 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.get("/health").status() == 200);
        // counts are written again under new incarnations, exactly the connections still open
        await()
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> countedInRedis(redis, id) == 2);
        // the stream crosses nodes again: b resubscribes and its listener hears live frames
        int restarted = sender.sent();
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () -> {
                  heardOnB1.addAll(drain(onB1, Duration.ZERO));
                  return heardOnB1.get(heardOnB1.size() - 1)[0] > restarted;
                });

        // new sessions and joins work again (the creation bucket starts full on an empty Redis)
        String fresh = b.createSession(alice, "en");
        try (WsClient freshOnA = join(a, "sessionId=" + fresh + "&targetLanguage=es");
            WsClient freshOnB = join(b, "sessionId=" + fresh + "&targetLanguage=fr")) {
          assertThat(a.listenerCount(fresh)).isEqualTo(2);
          assertThat(
                  b.get("/sessions/" + fresh).json().get("listenersByLanguage").get("fr").asInt())
              .isEqualTo(1);
        }
        a.awaitListenerCount(fresh, 0);
        // the old session's record is back: the nodes holding its connections wrote it back
        Response old = a.get("/sessions/" + id);
        assertThat(old.status()).isEqualTo(200);
        assertThat(old.json().get("status").asText()).isEqualTo("active");
        assertThat(old.json().get("listenerCount").asInt()).isEqualTo(2);

        sender.stop();
        sender.join(10_000);
        assertThat(sender.failed()).as("the speaker's connection stayed up").isFalse();
        int total = sender.sent();
        assertRun("a's listener", drain(onA1, Duration.ofSeconds(2)), 1, total);
        assertThat(onA1.hasSeen("streamStopped")).isFalse();

        heardOnB1.addAll(drain(onB1, Duration.ofSeconds(2)));
        // b heard everything before the outage and everything after its return, in order, once
        assertRun("b's listener before the outage", heardOnB1.subList(0, 30), 1, 30);
        long previous = 0;
        for (long[] f : heardOnB1) {
          assertThat(f[0]).as("b's listener: in order, no duplicate").isGreaterThan(previous);
          assertThat(f[1]).as("b's listener: the frame it says it is").isEqualTo(f[0]);
          previous = f[0];
        }
        assertThat(previous).as("b's listener hears the live end").isEqualTo(total);
        assertThat(heardOnB1.stream().filter(f -> f[0] > restarted)).isNotEmpty();
        assertThat(sentAtOutage).isLessThan(restarted);
        assertThat(countedInRedis(redis, id)).isEqualTo(2);
      } finally {
        for (WsClient c : all) {
          c.close();
        }
      }
    }
  }
}
