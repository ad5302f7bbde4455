package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.testing.FuzzArbitraries;
import org.pentecost.server.testing.TempDirs;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * Any text from a real listener or a real speaker (docs/protocol.md, "Client actions"): it is
 * answered with a reply of the protocol or an {@code error} with a documented code, the connection
 * stays open (only a message over the frame limit closes it, 1009, as documented), it still answers
 * {@code getSessionStatus} afterwards, and the session still counts exactly one listener.
 */
class WsActionsPropertyIT {
  /** An error message is a sentence and an excerpt of the input, however large the input. */
  static final int MAX_MESSAGE_CHARS = 300;

  /** A reply is small whatever the message: no part of a large input is sent back whole. */
  static final int MAX_REPLY_CHARS = 4096;

  private static final int MAX_FRAME_BYTES = 32_768;
  private static final Set<String> REPLY_TYPES =
      Set.of(
          "heartbeatAck",
          "languageSwitched",
          "sessionStatus",
          "connectionRefreshRequired",
          "listenerStats",
          "caption",
          "streamStarted",
          "streamStopped",
          "error");
  private static final Set<String> ERROR_CODES =
      Set.of(
          ErrorCode.MALFORMED_JSON.name(),
          ErrorCode.INVALID_REQUEST.name(),
          ErrorCode.UNKNOWN_ACTION.name(),
          ErrorCode.ACTION_NOT_ALLOWED.name(),
          ErrorCode.UNSUPPORTED_LANGUAGE.name(),
          ErrorCode.RATE_LIMITED.name());
  private static final AtomicLong PROBES = new AtomicLong();

  private static Path dir;
  private static TestServer server;
  private static String alice;
  private static String sessionId;
  private static WsClient speaker;
  private static WsClient listener;

  @BeforeContainer
  static void start() {
    dir = TempDirs.create("ws-fuzz");
    server =
        TestServer.start(
            dir,
            Map.of(
                "limits.trustedNetworks",
                "127.0.0.0/8",
                "connections.maxFrameBytes",
                Integer.toString(MAX_FRAME_BYTES),
                // A property sends far more messages on one connection than a client's budget
                // allows (WsAbuseIT covers the budget): out of reach here.
                "limits.messagesPerSecond",
                "1000000",
                "limits.messageBurst",
                "1000000"));
    alice = server.token("alice");
    sessionId = server.createSession(alice, "en");
    speaker = connect("speaker");
    listener = connect("listener");
    server.awaitListenerCount(sessionId, 1);
  }

  @AfterContainer
  static void stop() {
    speaker.close();
    listener.close();
    server.close();
    TempDirs.delete(dir);
  }

  private static WsClient connect(String role) {
    String query =
        role.equals("speaker")
            ? "sessionId=" + sessionId + "&role=speaker&token=" + alice
            : "sessionId=" + sessionId + "&targetLanguage=es";
    WsClient c = WsClient.connect(server, query);
    assertThat(c.next().path("type").asText()).isEqualTo("sessionJoined");
    return c;
  }

  @Property
  void anyTextIsAnsweredAndTheConnectionGoesOn(
      @ForAll("messages") String text, @ForAll boolean fromSpeaker) {
    List<JsonNode> replies = exchange(text, fromSpeaker);
    for (JsonNode m : replies) {
      assertThat(m.path("type").asText()).as("%s", m).isIn(REPLY_TYPES);
      if (m.path("type").asText().equals("error")) {
        assertThat(m.path("code").asText()).as("%s", m).isIn(ERROR_CODES);
      }
    }
    assertThat(server.listenerCount(sessionId)).isEqualTo(1);
  }

  /**
   * Fails today where an error quotes a whole unknown action or a reply echoes a requestId of any
   * size: bounded by the WebSocket gateway's own fix of those.
   */
  @Property
  void repliesAreSmallWhateverTheMessage(
      @ForAll("messages") String text, @ForAll boolean fromSpeaker) {
    for (JsonNode m : exchange(text, fromSpeaker)) {
      if (m.has("message")) {
        assertThat(m.get("message").asText()).hasSizeLessThanOrEqualTo(MAX_MESSAGE_CHARS);
      }
      assertThat(m.toString().length()).as("%.300s", m).isLessThanOrEqualTo(MAX_REPLY_CHARS);
    }
  }

  /** Audio from a listener is refused (ACTION_NOT_ALLOWED) without closing its connection. */
  @Property
  void binaryFromAListenerIsRefusedAndTheConnectionGoesOn(@ForAll("binary") byte[] data) {
    List<JsonNode> replies =
        exchange(data.length > MAX_FRAME_BYTES, c -> c.sendBinary(data), false);
    if (data.length <= MAX_FRAME_BYTES) {
      assertThat(replies).hasSize(1);
      assertThat(replies.get(0).path("code").asText()).isEqualTo("ACTION_NOT_ALLOWED");
    }
    assertThat(server.listenerCount(sessionId)).isEqualTo(1);
  }

  private static List<JsonNode> exchange(String text, boolean fromSpeaker) {
    boolean oversized = text.getBytes(StandardCharsets.UTF_8).length > MAX_FRAME_BYTES;
    return exchange(oversized, c -> c.send(text), fromSpeaker);
  }

  /**
   * Sends something, then a {@code getSessionStatus} probe, and returns what came before the
   * probe's answer. A message over the frame limit may instead close the connection, 1009 after a
   * MESSAGE_TOO_LARGE, as documented: then it connects again for the next try.
   */
  private static List<JsonNode> exchange(
      boolean oversized, java.util.function.Consumer<WsClient> send, boolean fromSpeaker) {
    WsClient c = fromSpeaker ? speaker : listener;
    String probe = "probe-" + PROBES.incrementAndGet();
    List<JsonNode> got = new ArrayList<>();
    try {
      send.accept(c);
      c.send("{\"action\":\"getSessionStatus\",\"requestId\":\"" + probe + "\"}");
    } catch (RuntimeException e) {
      assertThat(oversized).as("send failed: %s", e).isTrue();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode m = poll(c);
      if (m == null && c.isClosed()) {
        assertThat(oversized).as("closed; got %s", got).isTrue();
        assertThat(c.awaitClose()).isEqualTo(CloseCode.MESSAGE_TOO_BIG.code());
        assertThat(got).anyMatch(r -> r.path("code").asText().equals("MESSAGE_TOO_LARGE"));
        reconnect(fromSpeaker);
        return List.of();
      }
      if (m == null) {
        continue;
      }
      if (m.path("type").asText().equals("sessionStatus")
          && m.path("requestId").asText().equals(probe)) {
        return got;
      }
      got.add(m);
    }
    throw new AssertionError("no answer to getSessionStatus within 10 s; got " + got);
  }

  private static JsonNode poll(WsClient c) {
    try {
      return c.poll(Duration.ofMillis(20));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void reconnect(boolean asSpeaker) {
    if (asSpeaker) {
      speaker = connect("speaker");
    } else {
      listener = connect("listener");
      server.awaitListenerCount(sessionId, 1);
    }
  }

  @Provide
  Arbitrary<byte[]> binary() {
    return FuzzArbitraries.payloads(MAX_FRAME_BYTES + 1_000);
  }

  @Provide
  Arbitrary<String> messages() {
    return Arbitraries.oneOf(FuzzArbitraries.wsMessages());
  }
}
