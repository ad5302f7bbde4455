package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.Flood;
import org.pentecost.server.testing.MemoryWatch;
import org.pentecost.server.testing.PacedSpeaker;
import org.pentecost.server.testing.RawSocket;
import org.pentecost.server.testing.ServerProcess;
import org.pentecost.server.testing.StreamCheck;
import org.pentecost.server.testing.WsClient;

/**
 * A node's memory stays bounded under every flood a hostile client can send, all at once, while a
 * legitimate listener keeps every frame. One node in its own JVM with {@code -Xmx512m} and the
 * default limits (only 127.0.0.0/8 trusted, so that the per-IP join limits let the attackers come
 * back). A speaker streams Opus frames of 32 KiB, 50 a second (1.6 MiB/s), for the whole run, and a
 * listener reads them all. For 60 s, attackers that reconnect whenever they are dropped:
 *
 * <ul>
 *   <li>replies: listeners with a 4 KiB receive buffer that never read, sending a 30 KB message (a
 *       15,000-character {@code action} and {@code requestId}) in a loop;
 *   <li>pings: the same, sending 125-byte pings in a loop;
 *   <li>oversized: frames announcing 200 KiB and 16 MiB, their payload sent in full (at 16 MiB/s),
 *       in a loop;
 *   <li>non-reading: listeners of the speaker's stream with a 4 KiB receive buffer that never read
 *       (a ping a second tells them when they were dropped).
 * </ul>
 *
 * <p>Both JVMs are first warmed up by the same stream and floods for 5 s in another session. The
 * node's heap in use (garbage included) and resident set are then sampled once a second.
 *
 * <p>Measured on a 2-core machine, maxima over five runs: heap 44 MiB, RSS 218 MiB, and the
 * listener heard all of its ~3,000 frames. The ceilings, heap 384 MiB and RSS 640 MiB, leave room
 * for the collector: with {@code -Xmx512m} G1 may let its young generation fill up to 60% of the
 * heap (307 MiB) with garbage before it collects (an earlier run with unpaced floods reached 137
 * MiB of heap and 374 MiB of RSS). Over them went: the same run before pongs and the replies held
 * by Vert.x were bounded (heap 499 MiB, of which 379 MiB survived a collection; RSS 723 MiB), and
 * the same run with {@code connections.maxQueuedBytes} and the message and ping budgets out of
 * reach (heap 499 MiB, RSS 1006 MiB, {@code OutOfMemoryError}, {@code /health} unanswered).
 *
 * <p>The listener's stream is 13 Mbit/s, so the node's per-listener queue ({@code 3/4 ×
 * maxQueuedBytes}) holds under a second of it: a machine that starves the node or the test of CPU
 * for a second makes the listener skip frames (the report gives the node's CPU time and how late
 * the speaker was).
 */
class BoundedMemoryIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration FLOOD = Duration.ofSeconds(60);
  private static final Duration WARM_UP = Duration.ofSeconds(5);
  private static final Duration SETTLE = Duration.ofSeconds(5);
  private static final Duration OVERSIZED_PACE = Duration.ofMillis(4);
  private static final Duration ANSWER = Duration.ofSeconds(10);
  private static final long HEAP_CEILING = 384L << 20;
  private static final long RSS_CEILING = 640L << 20;
  private static final int FRAME_BYTES = 32 * 1024;
  private static final Duration FRAME = Duration.ofMillis(20);
  private static final String OPUS = "&codec=opus&sampleRate=48000&frameMs=20";

  @TempDir Path dir;

  /** What the test opened, closed last first. */
  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  private <T extends AutoCloseable> T opened(T c) {
    open.push(c);
    return c;
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void everyFloodAtOnceStaysUnderTheCeilingsWhileAListenerKeepsEveryFrame() throws Exception {
    ServerProcess node =
        opened(
            ServerProcess.serve(
                dir, List.of("-Xmx512m"), Map.of("limits.trustedNetworks", "127.0.0.0/8")));
    int port = node.port();
    String token =
        ServerProcess.run("token", "--user", "alice", "--data-dir", dir.toString())
            .stdout()
            .strip();
    warmUp(port, token);

    String id = createSession(port, token);
    WsClient listener = opened(join(port, "sessionId=" + id + "&targetLanguage=en"));
    WsClient speakerClient =
        opened(join(port, "sessionId=" + id + "&role=speaker&token=" + token + OPUS));
    listener.awaitType("streamStarted");
    StreamCheck stream = opened(StreamCheck.start(listener));
    PacedSpeaker speaker = opened(PacedSpeaker.start(speakerClient, FRAME_BYTES, FRAME));
    MemoryWatch watch = opened(MemoryWatch.start(node));

    List<Flood> floods = startFloods(port, id, FLOOD);
    floods.forEach(this::opened);
    floods.get(0).awaitEnd();
    for (Flood f : floods) {
      f.close();
    }
    speaker.close();
    boolean whole = stream.awaitReceived(speaker.sent(), Duration.ofSeconds(15));
    MemoryWatch.Summary memory = watch.stop();
    String report =
        String.format(
            "%s%nframes sent %d, received %d, breaks %d %s; speaker at most %d ms late%n%s%n%s",
            memory,
            speaker.sent(),
            stream.received(),
            stream.gaps(),
            stream.problems(),
            speaker.maxBehind().toMillis(),
            String.join("\n", floods.stream().map(Flood::toString).toList()),
            counters(get(port, "/metrics")));
    System.out.println("BoundedMemoryIT: " + report);

    assertThat(node.isAlive()).as(report).isTrue();
    assertThat(node.output()).as("the node's output").noneMatch(l -> l.contains("OutOfMemory"));
    assertThat(memory.samples()).as(report).isGreaterThanOrEqualTo(55);
    assertThat(memory.healthFailures()).as(report).isEmpty();
    assertThat(memory.maxHeapBytes()).as(report).isPositive().isLessThan(HEAP_CEILING);
    assertThat(memory.maxRssBytes()).as(report).isPositive().isLessThan(RSS_CEILING);

    assertThat(speaker.sent()).as(report).isGreaterThan(55 * 50);
    assertThat(stream.problems()).as(report).isEmpty();
    assertThat(whole).as(report).isTrue();
    assertThat(stream.received()).as(report).isEqualTo(speaker.sent());

    // Every flood was stopped over and over: by the budgets, the queue bound, the frame limit or
    // the slow-listener time-out, each closing the connection or dropping it.
    for (Flood f : floods.subList(0, 4)) {
      assertThat(f.drops()).as(report).isGreaterThanOrEqualTo(5);
    }
    assertThat(floods.get(4).drops()).as(report).isGreaterThanOrEqualTo(2);
  }

  /**
   * The same stream and the same floods for a few seconds in another session, so that neither JVM
   * is still compiling their code when the measured run starts.
   */
  private void warmUp(int port, String token) throws Exception {
    String id = createSession(port, token);
    try (WsClient listener = join(port, "sessionId=" + id + "&targetLanguage=en");
        WsClient speaker = join(port, "sessionId=" + id + "&role=speaker&token=" + token + OPUS)) {
      listener.awaitType("streamStarted");
      try (StreamCheck stream = StreamCheck.start(listener);
          PacedSpeaker s = PacedSpeaker.start(speaker, FRAME_BYTES, FRAME)) {
        List<Flood> floods = startFloods(port, id, WARM_UP);
        try {
          floods.get(0).awaitEnd();
        } finally {
          for (Flood f : floods) {
            f.close();
          }
        }
      }
    }
    Thread.sleep(SETTLE.toMillis()); // the node closes what the warm-up left
  }

  private static List<Flood> startFloods(int port, String id, Duration duration) {
    String es = "sessionId=" + id + "&targetLanguage=es";
    byte[] big =
        ("{\"action\":\"" + "x".repeat(15_000) + "\",\"requestId\":\"" + "y".repeat(15_000) + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] ping = new byte[125];
    return List.of(
        Flood.start(
            "replies",
            3,
            duration,
            Flood.upgrade(port, es, 4096),
            s -> s.sendFrame(RawSocket.TEXT, true, big)),
        Flood.start(
            "pings",
            3,
            duration,
            Flood.upgrade(port, es, 4096),
            s -> s.sendFrame(RawSocket.PING, true, ping)),
        Flood.start(
            "oversized 200 KiB",
            1,
            duration,
            Flood.upgrade(port, es, 0),
            s -> sendOversized(s, 200 * 1024)),
        Flood.start(
            "oversized 16 MiB",
            1,
            duration,
            Flood.upgrade(port, es, 0),
            s -> sendOversized(s, 16 << 20)),
        Flood.start(
            "non-reading listeners of the stream",
            2,
            duration,
            Flood.upgrade(port, "sessionId=" + id + "&targetLanguage=en", 4096),
            s -> {
              Thread.sleep(1000);
              s.sendFrame(RawSocket.PING, true, new byte[0]);
            }));
  }

  /**
   * A binary frame announcing {@code size} bytes, and all of them (zeros), 64 KiB every {@link
   * #OVERSIZED_PACE}: at most 16 MiB/s (128 Mbit/s, more than most uplinks). On loopback an unpaced
   * sender makes the node read and discard gigabytes a second until it closes the connection, a
   * cost in CPU (not memory) that no real network carries, and that would starve the legitimate
   * stream of a small test machine.
   */
  private static void sendOversized(RawSocket s, int size)
      throws IOException, InterruptedException {
    s.write(RawSocket.frameHeader(RawSocket.BINARY, true, size, true));
    byte[] chunk = new byte[65536];
    OutputStream out = s.socket().getOutputStream();
    for (int sent = 0; sent < size; sent += chunk.length) {
      out.write(chunk, 0, Math.min(chunk.length, size - sent));
      Thread.sleep(OVERSIZED_PACE.toMillis());
    }
  }

  private static WsClient join(int port, String query) {
    WsClient c = WsClient.connect(port, query, Map.of());
    assertThat(c.next().get("type").asText()).isEqualTo("sessionJoined");
    return c;
  }

  private static String createSession(int port, String token) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sessions"))
                .timeout(ANSWER)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sourceLanguage\":\"en\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("sessionId").asText();
  }

  /** The body of GET {@code path}, or why there is none (a node that no longer answers). */
  private static String get(int port, String path) throws InterruptedException {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(ANSWER)
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "(no answer to " + path + ": " + e + ")";
    }
  }

  /** The node's counters of connections stopped by each limit, and of frames skipped. */
  private static String counters(String metrics) {
    if (metrics.startsWith("(no answer")) {
      return metrics;
    }
    return String.join(
        "\n",
        metrics
            .lines()
            .filter(
                l ->
                    l.startsWith("pentecost_ws_queue_overflows_total")
                        || l.startsWith("pentecost_ws_messages_rate_limited_total")
                        || l.startsWith("pentecost_ws_protocol_violations_total")
                        || l.startsWith("pentecost_audio_frames_dropped_total"))
            .toList());
  }
}
