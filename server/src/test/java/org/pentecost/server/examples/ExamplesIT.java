package org.pentecost.server.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.protocol.AudioFrame;
import org.pentecost.server.backend.Signature;
import org.pentecost.server.testing.AudioFrames;
import org.pentecost.server.testing.ChildProcess;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.ExampleRuntimes;
import org.pentecost.server.testing.RedisServerProcess;
import org.pentecost.server.testing.Talker;
import org.pentecost.server.testing.TestBackend;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * The example clients under {@code examples/} against a real node: the Python translation worker
 * (heard by a Java listener, refreshing its connection as asked), the Node listener built on the
 * console's {@code protocol.js}, and the Python backend (signatures, the {@code progress} route and
 * a push through {@code /@connections}). Connections are asked to refresh after 2 s, so that the
 * examples' refresh flows run too.
 */
class ExamplesIT {
  private static final String WORKER = "translator-bot";
  private static final String BACKEND_KEY = "example-backend-key-0123456789";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  private static TestServer server;
  private static Clients clients;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            dir.resolve("node"),
            Map.of(
                "auth.workerSubjects", WORKER,
                "connections.refreshAt", "2s",
                "connections.warnAt", "50s",
                "connections.maxDuration", "60s"));
    clients = Clients.of(server, server.token("alice"));
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @Test
  void thePythonWorkerPublishesAudibleAudioAndCaptionsAndRefreshes() throws Exception {
    String python = ExampleRuntimes.python();
    String id = server.createSession(server.token("alice"), "en");
    try (WsClient speaker = clients.speaker(id);
        WsClient es = clients.listener(id, "targetLanguage=es");
        ChildProcess worker =
            ChildProcess.start(
                ExampleRuntimes.examples().resolve("python"),
                Map.of("PENTECOST_TOKEN", server.token(WORKER)),
                python,
                "worker.py",
                "--url",
                server.baseUrl(),
                "--session",
                id,
                "--language",
                "es",
                "--caption-every",
                "0.5")) {
      Talker talker = Talker.untilStopped(speaker);
      try {
        worker.awaitLine("joined ");
        JsonNode started = es.awaitType("streamStarted");
        assertThat(started.get("language").asText()).isEqualTo("es");
        assertThat(started.get("audio").get("codec").asText()).isEqualTo("pcm16");

        byte[] frame = nextFrameOf(es, "es");
        // one frame out per frame in, of the same duration (the speaker's 20 ms at 16 kHz) ...
        assertThat(frame.length - AudioFrame.HEADER_BYTES).isEqualTo(640);
        // ... and audible although the speaker's frames are nearly silent
        assertThat(peak(frame)).isGreaterThan(1000);

        JsonNode caption = es.awaitType("caption");
        assertThat(caption.get("language").asText()).isEqualTo("es");
        assertThat(caption.get("text").asText()).startsWith("[es] segment");

        // asked to refresh after 2 s, it moves to a new connection (and again 2 s later): its
        // listeners hear one stream, numbered without a gap, across the moves
        long first = AudioFrame.readHeader(nextFrameOf(es, "es")).sequence();
        worker.awaitLine(
            l ->
                l.endsWith(" refresh")
                    && worker.lines().stream().filter(x -> x.endsWith(" refresh")).count() >= 2,
            Duration.ofSeconds(20));
        talker.stop();
        List<AudioFrame.Header> heard = new ArrayList<>();
        for (byte[] f; (f = es.pollFrame(Duration.ofSeconds(1))) != null; ) {
          heard.add(AudioFrame.readHeader(f));
        }
        assertThat(heard).hasSizeGreaterThan(100);
        AudioFrames.assertContiguous(heard, first + 1);
        assertThat(es.hasSeen("streamStopped")).as("the stream never stopped").isFalse();
        assertThat(talker.failed()).isFalse();
      } finally {
        talker.stop();
      }
    }
  }

  @Test
  void theNodeListenerHearsFramesAndCaptionsAndRefreshesWithoutLoss() throws Exception {
    String node = ExampleRuntimes.node();
    String id = server.createSession(server.token("alice"), "en");
    try (WsClient speaker = clients.speaker(id)) {
      Talker talker = Talker.untilStopped(speaker);
      try (ChildProcess listener =
          ChildProcess.start(
              ExampleRuntimes.examples().resolve("node"),
              Map.of(),
              node,
              "listener.mjs",
              "--url",
              server.baseUrl(),
              "--session",
              id,
              "--language",
              "en",
              "--frames",
              "400",
              "--captions",
              "1")) {
        listener.awaitLine("joined ");
        speaker.send(
            "{\"action\":\"publishCaption\",\"text\":\"welcome, everyone\",\"final\":true}");
        assertThat(listener.awaitExit(Duration.ofSeconds(30))).as(listener.output()).isZero();
        List<String> out = listener.lines();
        assertThat(out).anyMatch(l -> l.startsWith("session " + id + " active source=en"));
        assertThat(out).anyMatch(l -> l.startsWith("frame en seq="));
        assertThat(out).contains("caption en final: welcome, everyone");
        assertThat(out).anyMatch(l -> l.startsWith("joined ") && l.contains("(refreshed)"));
        assertThat(out).anyMatch(l -> l.matches("done frames=400 captions=1 lost=0"));
      } finally {
        talker.stop();
      }
    }
  }

  @Test
  void thePythonBackendRefusesBadAndStaleSignatures() throws Exception {
    String python = ExampleRuntimes.python();
    int port = RedisServerProcess.freePort();
    try (ChildProcess backend = backend(python, port, server.baseUrl())) {
      String url = "http://127.0.0.1:" + port + "/ws/connect";
      String event = "{\"requestContext\":{\"routeKey\":\"$connect\",\"connectionId\":\"c1\"}}";
      long now = System.currentTimeMillis() / 1000;
      Signature signature = new Signature(TestBackend.SECRET);
      assertThat(post(url, event, signature.header(now, bytes(event)))).isEqualTo(200);
      assertThat(post(url, event, null)).isEqualTo(401);
      assertThat(post(url, event, new Signature("another secret").header(now, bytes(event))))
          .isEqualTo(401);
      assertThat(post(url, event + " ", signature.header(now, bytes(event)))).isEqualTo(401);
      assertThat(post(url, event, signature.header(now - 600, bytes(event)))).isEqualTo(401);
      backend.awaitLine("connect c1");
    }
  }

  @Test
  void theExamplesOwnUnitTestsPass() throws Exception {
    String python = ExampleRuntimes.python();
    String node = ExampleRuntimes.node();
    Path examples = ExampleRuntimes.examples();
    try (ChildProcess py =
            ChildProcess.start(
                examples.resolve("python"), Map.of(), python, "-m", "unittest", "-v");
        ChildProcess js = ChildProcess.start(examples.resolve("node"), Map.of(), node, "--test")) {
      assertThat(py.awaitExit(Duration.ofSeconds(60))).as(py.output()).isZero();
      assertThat(js.awaitExit(Duration.ofSeconds(60))).as(js.output()).isZero();
      assertThat(js.lines()).contains("# fail 0");
    }
  }

  @Test
  void thePythonBackendAnswersProgressThenPushesThroughConnections(@TempDir Path data)
      throws Exception {
    String python = ExampleRuntimes.python();
    int port = RedisServerProcess.freePort();
    String base = "http://127.0.0.1:" + port + "/ws/";
    TestServer node =
        TestServer.start(
            data,
            Map.of(
                "backend.routes",
                "$connect="
                    + base
                    + "connect,$disconnect="
                    + base
                    + "disconnect,progress="
                    + base
                    + "progress",
                "backend.signingSecret",
                TestBackend.SECRET,
                "backend.keys",
                BACKEND_KEY));
    try (ChildProcess backend = backend(python, port, node.baseUrl())) {
      String id = node.createSession(node.token("alice"), "en");
      String connectionId;
      try (WsClient client = Clients.join(node, "sessionId=" + id + "&targetLanguage=es")) {
        connectionId =
            client.seen().stream()
                .filter(m -> "sessionJoined".equals(m.path("type").asText()))
                .findFirst()
                .orElseThrow()
                .get("connectionId")
                .asText();
        backend.awaitLine("connect " + connectionId);

        client.send("{\"action\":\"progress\",\"percent\":40,\"requestId\":\"p1\"}");
        Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> client.hasSeen("progressAck") && client.hasSeen("progressDone"));
        List<String> types = new ArrayList<>();
        client.seen().forEach(m -> types.add(m.path("type").asText()));
        assertThat(types.indexOf("progressAck")).isLessThan(types.indexOf("progressDone"));
        JsonNode ack = only(client, "progressAck");
        assertThat(ack.get("percent").asInt()).isEqualTo(40);
        assertThat(ack.get("requestId").asText()).isEqualTo("p1");
        assertThat(ack.get("plan").asText()).as("the $connect context").isEqualTo("example");
        assertThat(only(client, "progressDone").get("percent").asInt()).isEqualTo(40);
        backend.awaitLine("pushed " + connectionId + " 200");
        client.closeNormally();
      }
      backend.awaitLine("disconnect " + connectionId);
    } finally {
      node.stop();
    }
  }

  private static ChildProcess backend(String python, int port, String pentecost) {
    ChildProcess backend =
        ChildProcess.start(
            ExampleRuntimes.examples().resolve("python"),
            Map.of(
                "PENTECOST_SIGNING_SECRET",
                TestBackend.SECRET,
                "PENTECOST_BACKEND_KEY",
                BACKEND_KEY),
            python,
            "backend.py",
            "--port",
            String.valueOf(port),
            "--pentecost",
            pentecost,
            "--push-delay",
            "0.5");
    backend.awaitLine("backend listening on ");
    return backend;
  }

  private static JsonNode only(WsClient c, String type) {
    return c.seen().stream()
        .filter(m -> type.equals(m.path("type").asText()))
        .findFirst()
        .orElseThrow();
  }

  /** The next audio frame of {@code language} (the listener may hear the floor before). */
  private static byte[] nextFrameOf(WsClient c, String language) {
    for (int i = 0; i < 1000; i++) {
      byte[] f = c.nextFrame();
      if (AudioFrame.readHeader(f).language().equals(language)) {
        return f;
      }
    }
    throw new AssertionError("no frame of " + language);
  }

  /** The largest PCM16 sample of a received frame's payload, in absolute value. */
  private static int peak(byte[] frame) {
    int peak = 0;
    for (int i = AudioFrame.HEADER_BYTES; i + 1 < frame.length; i += 2) {
      peak = Math.max(peak, Math.abs((short) ((frame[i] & 0xff) | (frame[i + 1] << 8))));
    }
    return peak;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int post(String url, String body, String signature) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (signature != null) {
      b.header(Signature.HEADER, signature);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
