package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pentecost.server.cluster.Broker.Frame;
import org.pentecost.server.cluster.NodeEventCodec.Received;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.pentecost.server.testing.RedisServerProcess;
import org.pentecost.server.testing.RedisTestClient;
import org.pentecost.server.testing.RedisTests;

/** The broker contract against a real Redis, plus what only the Redis broker promises. */
class RedisBrokerIT extends BrokerContract {
  private static final long KEEP_MILLIS = 60_000;

  private final List<RedisCommands> clients = new ArrayList<>();
  private String url = RedisTests.URL;
  private String prefix;

  @BeforeEach
  void requireRedis() {
    RedisTests.requireRedis();
    prefix = RedisTests.randomPrefix();
  }

  @AfterEach
  void dropKeysAndClients() {
    RedisTests.deleteKeys(RedisTests.URL, prefix);
    clients.forEach(c -> await(c.close()));
  }

  @Override
  protected Broker newBroker(Vertx vertx, String nodeId, long windowMicros) {
    RedisCommands redis =
        RedisCommands.create(vertx, RedisTests.storeConfig(RedisTests.nodeSettings(url, prefix)));
    clients.add(redis);
    return new RedisBroker(
        vertx,
        redis,
        new RedisKeys(prefix),
        nodeId,
        windowMicros,
        KEEP_MILLIS,
        new SimpleMeterRegistry());
  }

  @Override
  protected boolean connectsNodes() {
    return true;
  }

  /**
   * The audio connection opens in the background and a frame published before it is dropped: probe
   * with frames of a stream of the node's own until one is kept.
   */
  @Override
  protected void awaitConnected(Broker broker) {
    String probe = "probe-" + broker.nodeId();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (long seq = 1; await(broker.window(probe, "xx")).isEmpty(); seq++) {
      if (System.nanoTime() > deadline) {
        fail("the broker of %s never connected to %s", broker.nodeId(), url);
      }
      broker.publish(
          new Frame(probe, "xx", broker.nodeId(), seq, FRAME_MICROS, frame("", "xx", seq).audio()));
      sleep(50);
    }
  }

  @Test
  void theListKeepsAWindowOfFramesPlusTwoAndOutlivesTheStream() {
    Node a = node("node-a");
    List<Frame> sent = new ArrayList<>();
    for (long seq = 1; seq <= 30; seq++) {
      sent.add(a.publish("en", seq));
    }
    int keep = (int) (WINDOW_MICROS / FRAME_MICROS) + 2;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    List<Frame> window = await(a.broker().window(S, "en"));
    while (!window.contains(sent.get(29)) && System.nanoTime() < deadline) {
      sleep(20);
      window = await(a.broker().window(S, "en"));
    }
    assertThat(window).isEqualTo(sent.subList(30 - keep, 30));
    try (RedisTestClient redis = new RedisTestClient(url)) {
      assertThat((Long) redis.call("PTTL", prefix + "audio:{" + S + "}:en"))
          .isBetween(KEEP_MILLIS - 10_000, KEEP_MILLIS);
    }
  }

  @Test
  void whatCannotBeReadOnAChannelIsSkipped() {
    Node b = node("node-b");
    Node a = node("node-a");
    await(b.broker().subscribe(S, "fr"));
    try (RedisTestClient redis = new RedisTestClient(url)) {
      redis.call("PUBLISH", prefix + "audio:{" + S + "}:fr", "\u0005web");
      redis.call("PUBLISH", prefix + "events", "{\"type\":\"gossip\",\"node\":\"x\"}");
      redis.call("PUBLISH", prefix + "events", "not json");
    }
    Frame f = a.publish("fr", 1);
    a.broker().publishEvent(new NodeEvent.SpeakerLeft(S));
    assertThat(next(b.frames())).isEqualTo(f);
    assertThat(next(b.events())).isEqualTo(new Received("node-a", new NodeEvent.SpeakerLeft(S)));
    assertNothingMore(b.frames());
    assertThat(b.events()).isEmpty();
  }

  @Test
  void afterRedisComesBackANodeSubscribesAgainAndPublishesAgain() {
    try (RedisServerProcess own = RedisServerProcess.start()) {
      url = own.url();
      Node a = node("node-a");
      Node b = node("node-b");
      await(b.broker().subscribe(S, "fr"));
      Frame before = a.publish("fr", 1);
      assertThat(next(b.frames())).isEqualTo(before);

      own.kill();
      sleep(500); // both connections notice, and fail to reconnect for a while
      own.restart();

      // Frames published before the audio connection is back are dropped: publish until one
      // arrives, through the subscription made again.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      Frame arrived = null;
      for (long seq = 2; arrived == null; seq++) {
        if (System.nanoTime() > deadline) {
          fail("no frame crossed within 20 s of Redis coming back");
        }
        a.publish("fr", seq);
        sleep(100);
        arrived = b.frames().poll();
      }
      assertThat(arrived.origin()).isEqualTo("node-a");
      a.broker().publishEvent(new NodeEvent.SyncRequest(S));
      assertThat(next(b.events())).isEqualTo(new Received("node-a", new NodeEvent.SyncRequest(S)));
    } finally {
      url = RedisTests.URL;
    }
  }
}
