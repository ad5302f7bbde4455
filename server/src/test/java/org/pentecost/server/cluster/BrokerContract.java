package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pentecost.protocol.AudioFrame;
import org.pentecost.server.cluster.Broker.Frame;
import org.pentecost.server.cluster.NodeEventCodec.Received;

/**
 * The {@link Broker} contract (see its doc comment); every implementation extends this class with a
 * factory. The brokers one test makes belong to one service: with {@link RedisBroker} they reach
 * each other, a {@link LocalBroker} is a node alone, for which the same calls succeed and nothing
 * ever crosses.
 */
public abstract class BrokerContract {
  protected static final String S = "blessed-shepherd-427";

  /** The replay window the factory gives its brokers: ten frames of 20 ms. */
  protected static final long WINDOW_MICROS = 200_000;

  protected static final long FRAME_MICROS = 20_000;

  /** How long a test waits to be sure that something does not arrive. */
  private static final long QUIET_MS = 300;

  protected Vertx vertx;
  private final List<Broker> brokers = new ArrayList<>();

  /** A broker, not yet started, of node {@code nodeId} in this test's service. */
  protected abstract Broker newBroker(Vertx vertx, String nodeId, long windowMicros);

  /** Whether the brokers of one service reach each other (false: each is a node alone). */
  protected abstract boolean connectsNodes();

  /**
   * Waits until a started broker's frames leave (its connection to the transport is open); by
   * default nothing to wait for.
   */
  protected void awaitConnected(Broker broker) {}

  /** A started broker and what reaches its handlers. */
  protected record Node(
      Broker broker, BlockingQueue<Frame> frames, BlockingQueue<Received> events) {
    Frame publish(String language, long seq) {
      Frame f = frame(broker.nodeId(), language, seq);
      broker.publish(f);
      return f;
    }
  }

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeBrokers() {
    try {
      brokers.forEach(b -> await(b.close()));
    } finally {
      await(vertx.close());
    }
  }

  protected Node node(String nodeId) {
    Broker broker = newBroker(vertx, nodeId, WINDOW_MICROS);
    brokers.add(broker);
    Node node = new Node(broker, new LinkedBlockingQueue<>(), new LinkedBlockingQueue<>());
    broker.onFrame(node.frames()::add);
    broker.onEvent((from, event) -> node.events().add(new Received(from, event)));
    await(broker.start());
    awaitConnected(broker);
    return node;
  }

  protected static Frame frame(String origin, String language, long seq) {
    Buffer audio = Buffer.buffer();
    for (int i = 0; i < AudioFrame.HEADER_BYTES + 8; i++) {
      audio.appendByte((byte) (seq + i));
    }
    return new Frame(S, language, origin, seq, FRAME_MICROS, audio);
  }

  protected static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("did not complete: " + e, e);
    }
  }

  protected static <T> T next(BlockingQueue<T> queue) {
    try {
      T item = queue.poll(15, TimeUnit.SECONDS);
      assertThat(item).as("something arrives within 15 s").isNotNull();
      return item;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  protected static void assertNothingMore(BlockingQueue<?> queue) {
    try {
      assertThat(queue.poll(QUIET_MS, TimeUnit.MILLISECONDS)).isNull();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits until the shared window of (S, language) holds {@code n} frames. */
  protected List<Frame> windowOf(Broker broker, String language, int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    List<Frame> window = await(broker.window(S, language));
    while (window.size() < n && System.nanoTime() < deadline) {
      sleep(20);
      window = await(broker.window(S, language));
    }
    return window;
  }

  protected static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ---- the contract

  @Test
  void aBrokerIsItsNodesAndStartsAndClosesCleanly() {
    Node a = node("node-a");
    assertThat(a.broker().nodeId()).isEqualTo("node-a");
    assertThat(await(a.broker().window(S, "en"))).isEmpty();
  }

  @Test
  void holdsAreCountedAndAReleaseWithoutAHoldIsIgnored() {
    Node b = node("node-b");
    await(b.broker().subscribe(S, "fr"));
    await(b.broker().subscribe(S, "fr"));
    b.broker().unsubscribe(S, "fr");
    b.broker().unsubscribe(S, "fr");
    b.broker().unsubscribe(S, "fr"); // one too many
    b.broker().unsubscribe(S, "never-held");
    await(b.broker().subscribe(S, "fr"));
  }

  @Test
  void framesReachTheOtherSubscribedNodesInOrderOnceAndNeverTheirPublisher() {
    Node a = node("node-a");
    Node b = node("node-b");
    Node c = node("node-c");
    await(a.broker().subscribe(S, "fr"));
    await(b.broker().subscribe(S, "fr"));
    await(c.broker().subscribe(S, "de"));
    List<Frame> sent = new ArrayList<>();
    for (long seq = 1; seq <= 5; seq++) {
      sent.add(a.publish("fr", seq));
    }
    if (!connectsNodes()) {
      assertNothingMore(b.frames());
      assertThat(a.frames()).isEmpty();
      assertThat(c.frames()).isEmpty();
      return;
    }
    for (Frame f : sent) {
      assertThat(next(b.frames())).isEqualTo(f);
    }
    // A hears B's frame, published after its own were kept: its own never came back to it.
    assertThat(windowOf(b.broker(), "fr", 5)).hasSize(5);
    Frame fromB = b.publish("fr", 6);
    assertThat(next(a.frames())).isEqualTo(fromB);
    assertNothingMore(b.frames());
    assertThat(a.frames()).isEmpty();
    assertThat(c.frames()).as("another stream's node").isEmpty();
  }

  @Test
  void theWindowHoldsTheNewestFramesOldestFirst() {
    Node a = node("node-a");
    Node b = node("node-b");
    List<Frame> sent = new ArrayList<>();
    for (long seq = 1; seq <= 30; seq++) {
      sent.add(a.publish("en", seq));
    }
    if (!connectsNodes()) {
      assertThat(await(b.broker().window(S, "en"))).isEmpty();
      return;
    }
    int windowFrames = (int) (WINDOW_MICROS / FRAME_MICROS);
    List<Frame> window = windowOf(b.broker(), "en", windowFrames);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!window.get(window.size() - 1).equals(sent.get(29)) && System.nanoTime() < deadline) {
      sleep(20);
      window = await(b.broker().window(S, "en"));
    }
    assertThat(window.size()).isGreaterThanOrEqualTo(windowFrames);
    assertThat(window).isEqualTo(sent.subList(30 - window.size(), 30));
  }

  @Test
  void eventsReachEveryOtherNodeWithTheirSenderInOrder() {
    Node a = node("node-a");
    Node b = node("node-b");
    Node c = node("node-c");
    for (Node n : List.of(a, b, c)) {
      await(n.broker().subscribe(S, "en")); // subscribed to the events channel by then
    }
    List<NodeEvent> sent = NodeEventCodecTest.samples();
    for (NodeEvent e : sent) {
      assertThat(a.broker().publishEvent(e)).isEqualTo(connectsNodes());
    }
    if (!connectsNodes()) {
      assertNothingMore(b.events());
      assertThat(c.events()).isEmpty();
      assertThat(a.events()).isEmpty();
      return;
    }
    for (Node other : List.of(b, c)) {
      for (NodeEvent e : sent) {
        assertThat(next(other.events())).isEqualTo(new Received("node-a", e));
      }
    }
    NodeEvent fromB = new NodeEvent.SyncRequest(S);
    b.broker().publishEvent(fromB);
    assertThat(next(a.events())).isEqualTo(new Received("node-b", fromB));
    assertThat(a.events()).as("its own events never come back").isEmpty();
    assertThat(b.events()).isEmpty();
  }

  @Test
  void nothingOfAStreamArrivesAfterItsLastHoldIsReleased() {
    Node a = node("node-a");
    Node b = node("node-b");
    await(b.broker().subscribe(S, "fr"));
    await(b.broker().subscribe(S, "fr"));
    await(b.broker().subscribe(S, "de"));
    b.broker().unsubscribe(S, "fr"); // one hold left
    Frame kept = a.publish("fr", 1);
    if (connectsNodes()) {
      assertThat(next(b.frames())).isEqualTo(kept);
    }
    b.broker().unsubscribe(S, "fr");
    a.publish("fr", 2);
    Frame marker = a.publish("de", 1); // published after, on the same connection
    if (connectsNodes()) {
      assertThat(next(b.frames())).isEqualTo(marker);
    }
    assertNothingMore(b.frames());
  }

  @Test
  void aNodeCountsTheOtherNodesThatHearItsEvents() {
    Node a = node("node-a");
    Node b = node("node-b");
    Node c = node("node-c");
    for (Node n : List.of(a, b, c)) {
      await(n.broker().subscribe(S, "en")); // subscribed to the events channel by then
    }
    if (!connectsNodes()) {
      assertThat(await(a.broker().otherNodes())).isZero();
      return;
    }
    assertThat(otherNodesOf(a.broker(), 2)).isEqualTo(2);
    assertThat(await(b.broker().otherNodes())).isEqualTo(2);
    await(c.broker().close());
    brokers.remove(c.broker());
    assertThat(otherNodesOf(a.broker(), 1)).isEqualTo(1);
  }

  /** Waits (15 s) until {@code broker} counts {@code n} other nodes; returns its last count. */
  private int otherNodesOf(Broker broker, int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    int count = await(broker.otherNodes());
    while (count != n && System.nanoTime() < deadline) {
      sleep(20);
      count = await(broker.otherNodes());
    }
    return count;
  }
}
