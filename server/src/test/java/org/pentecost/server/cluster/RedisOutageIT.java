package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pentecost.server.cluster.ClusterAudioIT.marker;
import static org.pentecost.server.cluster.ClusterAudioIT.pcm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.protocol.AudioFrame;
import org.pentecost.server.testing.RedisServerProcess;
import org.pentecost.server.testing.RedisTestClient;
import org.pentecost.server.testing.RedisTests;
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

  private static List<long[]> drain(WsClient c, Duration quiet) throws InterruptedException {
    List<long[]> got = new ArrayList<>();
    for (byte[] f; (f = c.pollFrame(quiet)) != null; ) {
      got.add(new long[] {AudioFrame.readHeader(f).sequence(), marker(f)});
    }
    return got;
  }

  private static void assertContiguous(List<long[]> frames, int first, int last, String who) {
    assertThat(frames).as("%s: frames heard", who).hasSize(last - first + 1);
    for (int i = 0; i < frames.size(); i++) {
      assertThat(frames.get(i)[0]).as("%s: sequence of frame %d", who, i).isEqualTo(first + i);
      assertThat(frames.get(i)[1]).as("%s: marker of frame %d", who, i).isEqualTo(first + i);
    }
  }

  private static WsClient join(TestServer node, String query) {
    WsClient c = WsClient.connect(node, query);
    c.awaitType("sessionJoined");
    return c;
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
        try (RedisTestClient client = new RedisTestClient(redis.url())) {
          await()
              .atMost(Duration.ofSeconds(10))
              .until(
                  () -> {
                    Object reply =
                        client.call("PUBSUB", "NUMSUB", PREFIX + "audio:{" + id + "}:en");
                    return Long.parseLong(String.valueOf(((List<?>) reply).get(1))) == 2;
                  });
        }

        // The speaker talks, a frame every 10 ms, until told to stop.
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean talking = new AtomicBoolean(true);
        AtomicBoolean senderFailed = new AtomicBoolean();
        Thread sender =
            new Thread(
                () -> {
                  try {
                    for (int n = 1; talking.get(); n++) {
                      speaker.sendBinary(pcm(n));
                      sent.set(n);
                      Thread.sleep(10);
                    }
                  } catch (Exception e) {
                    senderFailed.set(true);
                  }
                },
                "speaker");
        sender.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() >= 50);
        List<long[]> heardOnB1 = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          byte[] f = onB1.nextFrame(); // the stream crosses nodes before the outage
          heardOnB1.add(new long[] {AudioFrame.readHeader(f).sequence(), marker(f)});
        }

        redis.kill();
        int sentAtOutage = sent.get();
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
        int during = sent.get();
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.get() >= during + 100);
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
        int restarted = sent.get();
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () -> {
                  for (byte[] f; (f = onB1.pollFrame(Duration.ZERO)) != null; ) {
                    heardOnB1.add(new long[] {AudioFrame.readHeader(f).sequence(), marker(f)});
                  }
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

        talking.set(false);
        sender.join(10_000);
        assertThat(senderFailed).as("the speaker's connection stayed up").isFalse();
        int total = sent.get();
        assertContiguous(drain(onA1, Duration.ofSeconds(2)), 1, total, "a's listener");
        assertThat(onA1.hasSeen("streamStopped")).isFalse();

        heardOnB1.addAll(drain(onB1, Duration.ofSeconds(2)));
        // b heard everything before the outage and everything after its return, in order, once
        assertContiguous(heardOnB1.subList(0, 30), 1, 30, "b's listener before the outage");
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
