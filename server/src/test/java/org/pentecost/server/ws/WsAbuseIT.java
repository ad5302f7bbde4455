package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.RawSocket;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.TestServer;

/**
 * What a client that nobody here wrote can do to a node over {@code /ws}: flood it with messages
 * whose replies it never reads, ping it without reading the pongs, send frames over every limit,
 * invalid UTF-8 and broken framing. Each ends in the documented error and close, or a dropped
 * connection where the peer reads nothing, and the node's memory stays bounded.
 */
class WsAbuseIT extends SharedNode {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  /** A node whose budgets are out of reach, so that only the bound on queued bytes can act. */
  TestServer unlimited;

  /** A session on the node with its default message and ping budgets ({@code server}). */
  String session;

  String unlimitedSession;

  WsAbuseIT() {
    super(SharedNode.loopback()); // a node with its default message and ping budgets
  }

  @BeforeAll
  void start(@TempDir Path unlimitedDir) {
    session = server.createSession(alice, "en");
    Map<String, String> noBudgets =
        SharedNode.loopback(
            "limits.messagesPerSecond", "1000000",
            "limits.messageBurst", "1000000",
            "limits.pingsPerSecond", "1000000",
            "limits.pingBurst", "1000000",
            "connections.maxQueuedBytes", "65536");
    unlimited = TestServer.start(unlimitedDir, noBudgets);
    unlimitedSession = unlimited.createSession(unlimited.token("alice"), "en");
  }

  @AfterAll
  void stop() {
    if (unlimited != null) {
      unlimited.close();
    }
  }

  private RawSocket listener(int receiveBuffer) throws IOException {
    return listener(server, session, receiveBuffer);
  }

  private static RawSocket listener(TestServer node, String id, int receiveBuffer)
      throws IOException {
    RawSocket s = RawSocket.connect(node.port(), null, receiveBuffer);
    assertThat(s.upgrade("sessionId=" + id + "&targetLanguage=es")).startsWith("HTTP/1.1 101");
    return s;
  }

  /**
   * Sends {@code frame} over and over without reading until the server drops the connection; true
   * if it did within {@code CLOSE_WAIT}.
   */
  private static boolean floodUntilDropped(RawSocket s, int opcode, byte[] payload) {
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    try {
      s.socket().setSoTimeout(100);
      while (System.nanoTime() < deadline) {
        s.sendFrame(opcode, true, payload);
      }
      return false;
    } catch (IOException e) {
      return true; // the server closed or reset the connection
    }
  }

  @Test
  void repliesToAClientThatNeverReadsAreBoundedAndItIsDropped() throws IOException {
    double before = unlimited.metric("pentecost_ws_queue_overflows_total");
    String big =
        "{\"action\":\"" + "x".repeat(15_000) + "\",\"requestId\":\"" + "y".repeat(15_000) + "\"}";
    try (RawSocket s = listener(unlimited, unlimitedSession, 4096)) {
      assertThat(floodUntilDropped(s, RawSocket.TEXT, big.getBytes())).isTrue();
    }
    assertThat(unlimited.metric("pentecost_ws_queue_overflows_total")).isGreaterThan(before);
    unlimited.awaitListenerCount(unlimitedSession, 0);
  }

  @Test
  void pongsToAClientThatNeverReadsAreBoundedAndItIsDropped() throws IOException {
    double before = unlimited.metric("pentecost_ws_queue_overflows_total");
    try (RawSocket s = listener(unlimited, unlimitedSession, 4096)) {
      assertThat(floodUntilDropped(s, RawSocket.PING, new byte[125])).isTrue();
    }
    assertThat(unlimited.metric("pentecost_ws_queue_overflows_total")).isGreaterThan(before);
    unlimited.awaitListenerCount(unlimitedSession, 0);
  }

  @Test
  void aPingFloodThatNeverReadsIsDroppedByItsBudgetAndTheQueueBound() throws IOException {
    try (RawSocket s = listener(4096)) {
      assertThat(floodUntilDropped(s, RawSocket.PING, new byte[125])).isTrue();
    }
    server.awaitListenerCount(session, 0);
  }

  @Test
  void errorsEchoOnlyAShortExcerptOfTheInput() throws IOException {
    try (RawSocket s = listener(0)) {
      s.readFrame(); // sessionJoined
      s.sendText("{\"action\":\"" + "x".repeat(15_000) + "\",\"requestId\":\"r-0\"}");
      JsonNode error = JSON.readTree(s.readFrame().text());
      assertThat(error.get("code").asText()).isEqualTo("UNKNOWN_ACTION");
      assertThat(error.get("requestId").asText()).isEqualTo("r-0");
      assertThat(error.toString().length()).isLessThan(400);
      s.sendText("{\"action\":\"heartbeat\",\"requestId\":\"" + "y".repeat(15_000) + "\"}");
      JsonNode refused = JSON.readTree(s.readFrame().text());
      assertThat(refused.get("code").asText()).isEqualTo("INVALID_REQUEST");
      assertThat(refused.has("requestId")).isFalse();
      assertThat(refused.toString().length()).isLessThan(400);
      s.sendText("{\"action\":\"heartbeat\",\"requestId\":\"r-1\"}");
      JsonNode ack = JSON.readTree(s.readFrame().text());
      assertThat(ack.get("requestId").asText()).isEqualTo("r-1");
    }
  }

  @Test
  void aClientOverItsMessageBudgetGetsAnErrorThenAClose() throws IOException {
    try (RawSocket s = listener(0)) {
      s.readFrame(); // sessionJoined
      for (int i = 0; i < 400; i++) {
        s.sendText("{\"action\":\"nothing\"}");
      }
      List<String> texts = new ArrayList<>();
      RawSocket.Frame close = s.readUntilClose(texts, CLOSE_WAIT);
      assertThat(close).isNotNull();
      assertThat(close.closeCode()).isEqualTo(4429);
      assertThat(texts).anyMatch(t -> t.contains("\"RATE_LIMITED\""));
    }
  }

  @Test
  void aPingFloodOverItsBudgetIsClosedWithRateLimited() throws IOException {
    try (RawSocket s = listener(0)) {
      s.readFrame(); // sessionJoined
      for (int i = 0; i < 400; i++) {
        s.sendFrame(RawSocket.PING, true, new byte[8]);
      }
      RawSocket.Frame close = s.readUntilClose(null, CLOSE_WAIT);
      assertThat(close).isNotNull();
      assertThat(close.closeCode()).isEqualTo(4429);
    }
  }

  @Test
  void framesOverTheLimitGetTheErrorAndClose1009AtEverySize() throws Exception {
    for (long size : new long[] {32 * 1024 + 1, 128 * 1024 + 1, 1 << 20, 64L << 20}) {
      try (RawSocket s = listener(0)) {
        s.readFrame(); // sessionJoined
        s.write(RawSocket.frameHeader(RawSocket.TEXT, true, size, true));
        Thread writer = startPayload(s, size);
        List<String> texts = new ArrayList<>();
        RawSocket.Frame close = s.readUntilClose(texts, CLOSE_WAIT);
        writer.interrupt();
        assertThat(close).as("close frame for a frame of %d bytes", size).isNotNull();
        assertThat(close.closeCode()).isEqualTo(1009);
        assertThat(texts).anyMatch(t -> t.contains("\"MESSAGE_TOO_LARGE\""));
      }
    }
    server.awaitListenerCount(session, 0);
  }

  /** Streams {@code size} payload bytes in the background, stopping when the server closes. */
  private static Thread startPayload(RawSocket s, long size) {
    Thread t =
        new Thread(
            () -> {
              byte[] chunk = new byte[16384];
              try {
                for (long sent = 0; sent < size && !Thread.interrupted(); sent += chunk.length) {
                  s.socket()
                      .getOutputStream()
                      .write(chunk, 0, (int) Math.min(chunk.length, size - sent));
                }
              } catch (IOException e) {
                // the server closed: what the test expects
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void invalidUtf8IsClosedWith1007() throws IOException {
    try (RawSocket s = listener(0)) {
      s.readFrame(); // sessionJoined
      s.sendFrame(RawSocket.TEXT, true, new byte[] {'{', '"', (byte) 0xc3, (byte) 0x28, '"', '}'});
      RawSocket.Frame close = s.readUntilClose(null, CLOSE_WAIT);
      assertThat(close).isNotNull();
      assertThat(close.closeCode()).isEqualTo(1007);
    }
  }

  @Test
  void brokenFramingIsClosedWith1002() throws IOException {
    byte[][] broken = {
      RawSocket.frameHeader(RawSocket.TEXT, true, 2, false), // unmasked client frame
      {(byte) 0x83, (byte) 0x80, 0, 0, 0, 0}, // reserved opcode 3
      {(byte) 0x09, (byte) 0x80, 0, 0, 0, 0}, // fragmented ping
      {(byte) 0xC1, (byte) 0x80, 0, 0, 0, 0}, // RSV1 without an extension
      {(byte) 0x80, (byte) 0x80, 0, 0, 0, 0}, // continuation with nothing to continue
    };
    for (byte[] frame : broken) {
      try (RawSocket s = listener(0)) {
        s.readFrame(); // sessionJoined
        s.write(frame);
        s.write(new byte[] {'h', 'i'});
        RawSocket.Frame close = s.readUntilClose(null, CLOSE_WAIT);
        assertThat(close)
            .as("close after %s", java.util.HexFormat.of().formatHex(frame))
            .isNotNull();
        assertThat(close.closeCode()).isEqualTo(1002);
      }
    }
  }

  @Test
  void malformedHandshakesAreRefused() throws IOException {
    try (RawSocket s = RawSocket.connect(server.port())) {
      String head = s.upgrade("sessionId=" + session, Map.of("Sec-WebSocket-Key", "not-a-key"));
      assertThat(head).startsWith("HTTP/1.1 400");
    }
    try (RawSocket s = RawSocket.connect(server.port())) {
      String head = s.upgrade("sessionId=" + session, Map.of("Sec-WebSocket-Version", "8"));
      assertThat(head).startsWith("HTTP/1.1 426");
      assertThat(head).containsIgnoringCase("Sec-WebSocket-Version: 13");
    }
  }
}
