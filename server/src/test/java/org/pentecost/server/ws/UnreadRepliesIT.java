package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.RawSocket;
import org.pentecost.server.testing.TestServer;

/**
 * What the node answers to a client that does not read is bounded by {@code
 * connections.maxQueuedBytes} whatever holds it: Vert.x keeps writes in a queue of its own once the
 * channel's write buffer is full, where they must count too. And a ping flood past its budget is
 * neither read nor answered any more, although Vert.x answers every ping it reads and asks for the
 * next frame after one whether the socket is paused or not.
 */
class UnreadRepliesIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir static Path dir;
  @TempDir static Path unlimitedDir;

  /** Default limits. */
  static TestServer server;

  /** Budgets out of reach and the default queue bound (2 MiB), so that only the bound acts. */
  static TestServer unlimited;

  static String session;
  static String unlimitedSession;

  @BeforeAll
  static void start() {
    Map<String, String> common = Map.of("limits.trustedNetworks", "127.0.0.0/8");
    server = TestServer.start(dir, common);
    session = server.createSession(server.token("alice"), "en");
    Map<String, String> noBudgets = new java.util.HashMap<>(common);
    noBudgets.putAll(
        Map.of(
            "limits.messagesPerSecond", "1000000",
            "limits.messageBurst", "1000000",
            "limits.pingsPerSecond", "1000000",
            "limits.pingBurst", "1000000"));
    unlimited = TestServer.start(unlimitedDir, noBudgets);
    unlimitedSession = unlimited.createSession(unlimited.token("alice"), "en");
  }

  @AfterAll
  static void stop() {
    server.close();
    unlimited.close();
  }

  private static RawSocket listener(TestServer node, String id, int receiveBuffer)
      throws IOException {
    RawSocket s = RawSocket.connect(node.port(), null, receiveBuffer);
    assertThat(s.upgrade("sessionId=" + id + "&targetLanguage=es")).startsWith("HTTP/1.1 101");
    return s;
  }

  private static double metric(TestServer node, String name) {
    return node.get("/metrics")
        .body()
        .lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void repliesPastTheChannelsWriteBufferCountTowardsTheQueueBound() throws IOException {
    double before = metric(unlimited, "pentecost_ws_queue_overflows_total");
    // Each reply (an UNKNOWN_ACTION error) is several times the size of the message.
    byte[] message = "{\"action\":\"nothing\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    boolean dropped = false;
    try (RawSocket s = listener(unlimited, unlimitedSession, 4096)) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        s.sendFrame(RawSocket.TEXT, true, message);
      }
    } catch (IOException e) {
      dropped = true; // closed or reset by the server
    }
    assertThat(dropped).as("dropped within %s", WAIT).isTrue();
    assertThat(metric(unlimited, "pentecost_ws_queue_overflows_total")).isGreaterThan(before);
  }

  @Test
  void aPingFloodPastItsBudgetIsNotAnsweredAfterTheClose() throws IOException {
    try (RawSocket s = listener(server, session, 0)) {
      for (int i = 0; i < 2000; i++) {
        s.sendFrame(RawSocket.PING, true, new byte[125]);
      }
      RawSocket.Frame close = null;
      int pongsAfterClose = 0;
      s.socket().setSoTimeout((int) Duration.ofSeconds(3).toMillis());
      try {
        while (true) {
          RawSocket.Frame f = s.readFrame();
          if (f.opcode() == RawSocket.CLOSE) {
            close = f;
          } else if (close != null && f.opcode() == RawSocket.PONG) {
            pongsAfterClose++;
          }
        }
      } catch (IOException e) {
        // the server closed the connection, or sent nothing more
      }
      assertThat(close).isNotNull();
      assertThat(close.closeCode()).isEqualTo(4429);
      assertThat(pongsAfterClose).as("pongs sent after the close frame").isZero();
    }
  }
}
