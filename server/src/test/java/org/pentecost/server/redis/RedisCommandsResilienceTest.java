package org.pentecost.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.testing.RedisTests;

/**
 * {@link RedisCommands} against a "Redis" that fails in a known way, a local socket that counts the
 * connections each attempt opens: which commands are tried again, that all attempts share one
 * deadline, and that an open breaker sends nothing at all.
 */
class RedisCommandsResilienceTest {
  private Vertx vertx;
  private final List<RedisCommands> clients = new ArrayList<>();
  private final List<AutoCloseable> servers = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    for (RedisCommands c : clients) {
      c.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    for (AutoCloseable s : servers) {
      s.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aReadIsTriedAgainAfterQuickFailuresAWriteOnlyOnce() throws Exception {
    FakeRedis closing = fakeRedis(true);
    RedisCommands writes = commands(closing.port(), "2s");
    fails(writes.send(Command.SET, "k", "v"));
    assertThat(closing.accepted()).isEqualTo(1);
    fails(writes.eval(LuaScript.load("rate_limit"), List.of("k"), List.of(1, 1, 1000)));
    assertThat(closing.accepted()).isEqualTo(2);

    RedisCommands reads = commands(closing.port(), "2s"); // a breaker of its own
    long start = System.nanoTime();
    fails(reads.send(Command.GET, "k"));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(closing.accepted()).isEqualTo(2 + RetryPolicy.MAX_ATTEMPTS);
    // the pauses between attempts were taken (at least half of 25 + 75 + 225 ms)...
    assertThat(tookMillis).isGreaterThanOrEqualTo(160);
    // ...and all of it well inside the deadline
    assertThat(tookMillis).isLessThan(2_000);
  }

  @Test
  void aReadThatTimesOutIsNotTriedAgainAndEveryAttemptSharesOneDeadline() throws Exception {
    FakeRedis silent = fakeRedis(false);
    RedisCommands reads = commands(silent.port(), "300ms");
    long start = System.nanoTime();
    StoreException e = fails(reads.send(Command.GET, "k"));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(e).hasMessageContaining("no answer within 300 ms");
    assertThat(tookMillis).isBetween(250L, 1_500L); // one deadline, not four
    // the fake's accept thread may count the one connection a little after the client gave up
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> silent.accepted() >= 1);
    Thread.sleep(300);
    assertThat(silent.accepted()).isEqualTo(1);

    // a short deadline leaves room for fewer retries, never for more time
    FakeRedis closing = fakeRedis(true);
    RedisCommands hurried = commands(closing.port(), "90ms");
    start = System.nanoTime();
    fails(hurried.send(Command.GET, "k"));
    tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(closing.accepted()).isLessThanOrEqualTo(2);
    assertThat(tookMillis).isLessThan(1_000);
  }

  @Test
  void anOpenBreakerFailsAtOnceWithoutSendingAnything() throws Exception {
    FakeRedis closing = fakeRedis(true);
    RedisCommands redis = commands(closing.port(), "2s");
    assertThat(redis.breakerState()).isZero();
    for (int i = 0; i < 5; i++) {
      fails(redis.send(Command.SET, "k", "v"));
    }
    assertThat(redis.breakerState()).isEqualTo(2);
    int sent = closing.accepted();
    StoreException e = fails(redis.send(Command.GET, "k"));
    assertThat(e).hasMessageContaining("circuit breaker open");
    assertThat(e.isAlreadyLogged()).isTrue(); // logged once when it opened, not per call
    assertThat(closing.accepted()).isEqualTo(sent);
  }

  private RedisCommands commands(int port, String timeout) {
    RedisCommands c =
        RedisCommands.create(
            vertx,
            RedisTests.storeConfig(
                Map.of(
                    "store.type",
                    "redis",
                    "store.redis.url",
                    "redis://127.0.0.1:" + port,
                    "store.timeout",
                    timeout)));
    clients.add(c);
    return c;
  }

  private static StoreException fails(Future<?> f) throws Exception {
    CompletableFuture<?> done = f.toCompletionStage().toCompletableFuture();
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StoreException.class);
      return (StoreException) e.getCause();
    }
    throw new AssertionError("expected a StoreException, got an answer");
  }

  private FakeRedis fakeRedis(boolean closeAtOnce) throws IOException {
    FakeRedis s = new FakeRedis(closeAtOnce);
    servers.add(s);
    return s;
  }

  /** Accepts connections and counts them; closes each at once, or holds it and never answers. */
  private static final class FakeRedis implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0);
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> held = new ArrayList<>();

    FakeRedis(boolean closeAtOnce) throws IOException {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Socket s = socket.accept();
                    accepted.incrementAndGet();
                    if (closeAtOnce) {
                      s.close();
                    } else {
                      synchronized (held) {
                        held.add(s);
                      }
                    }
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              },
              "fake-redis");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    int accepted() {
      return accepted.get();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      synchronized (held) {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }
}
