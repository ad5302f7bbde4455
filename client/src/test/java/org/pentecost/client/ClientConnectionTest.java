package org.pentecost.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pentecost.protocol.AudioFrame;

/**
 * The client against a scripted stand-in for the server on 127.0.0.1 (no Pentecost server): the
 * test plays the server's part frame by frame and watches what the client's user hears.
 */
class ClientConnectionTest {
  private static final long WAIT = 5;

  private Vertx vertx;
  private HttpServer server;
  private final BlockingQueue<ServerWebSocket> accepted = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> heard = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> serverGot = new LinkedBlockingQueue<>();
  private Connection connection;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        await(
            vertx
                .createHttpServer()
                .webSocketHandler(
                    ws -> {
                      ws.textMessageHandler(serverGot::add);
                      accepted.add(ws);
                    })
                .listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() throws Exception {
    if (connection != null) {
      await(connection.close());
    }
    await(server.close());
    await(vertx.close());
  }

  private PentecostClient listener() {
    return PentecostClient.listener(
            vertx, URI.create("http://127.0.0.1:" + server.actualPort()), "s-1", "es")
        .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
        .listener(
            new Listener() {
              @Override
              public void onJoined(JsonObject m) {
                heard.add("joined " + m.getString("connectionId"));
              }

              @Override
              public void onAudio(AudioFrame.Header h, Buffer payload) {
                heard.add("audio " + h.sequence() + " " + payload.getByte(0));
              }

              @Override
              public void onRefreshed(String id) {
                heard.add("refreshed " + id);
              }

              @Override
              public void onClosed(int code, String reason, boolean willReconnect) {
                heard.add("closed " + code + " " + willReconnect);
              }

              @Override
              public void onError(JsonObject error) {
                heard.add("error " + error.getString("code"));
              }
            });
  }

  /** Connects and plays the server's sessionJoined; returns the server's side. */
  private ServerWebSocket join(String id) throws Exception {
    Future<Connection> f = listener().connect();
    ServerWebSocket ws = next();
    joined(ws, id);
    connection = await(f);
    assertThat(take()).isEqualTo("joined " + id);
    return ws;
  }

  private static void joined(ServerWebSocket ws, String id) {
    ws.writeTextMessage(
        new JsonObject()
            .put("type", "sessionJoined")
            .put("connectionId", id)
            .put("heartbeatIntervalMs", 1_000)
            .encode());
  }

  private static void frame(ServerWebSocket ws, long seq, int flags) {
    byte[] f = AudioFrame.encode(flags, "es", seq, 0, new byte[] {(byte) seq});
    ws.writeBinaryMessage(Buffer.buffer(f));
  }

  private ServerWebSocket next() throws InterruptedException {
    ServerWebSocket ws = accepted.poll(WAIT, TimeUnit.SECONDS);
    assertThat(ws).as("a connection to the stand-in server").isNotNull();
    return ws;
  }

  private String take() throws InterruptedException {
    String s = heard.poll(WAIT, TimeUnit.SECONDS);
    assertThat(s).as("an event within " + WAIT + " s").isNotNull();
    return s;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT, TimeUnit.SECONDS);
  }

  @Test
  void deliversAudioAndSendsHeartbeats() throws Exception {
    ServerWebSocket ws = join("A");
    assertThat(ws.query()).isEqualTo("sessionId=s-1&role=listener&targetLanguage=es");
    frame(ws, 1, 0);
    frame(ws, 2, 0);
    assertThat(take()).isEqualTo("audio 1 1");
    assertThat(take()).isEqualTo("audio 2 2");
    assertThat(serverGot.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("{\"action\":\"heartbeat\"}");
    assertThat(connection.connectionId()).isEqualTo("A");
    assertThat(connection.lastSequence()).isEqualTo(2);
  }

  @Test
  void refreshIsGaplessAndDeliversNothingTwice() throws Exception {
    ServerWebSocket a = join("A");
    frame(a, 1, 0);
    frame(a, 2, 0);
    assertThat(take()).isEqualTo("audio 1 1");
    assertThat(take()).isEqualTo("audio 2 2");
    a.writeTextMessage("{\"type\":\"connectionRefreshRequired\",\"connectionId\":\"A\"}");
    ServerWebSocket b = next();
    assertThat(b.query())
        .isEqualTo(
            "sessionId=s-1&role=listener&targetLanguage=es"
                + "&action=refreshConnection&previousConnectionId=A&lastSeq=2");
    // The old connection is still live and delivers 3 before the new one joins.
    frame(a, 3, 0);
    assertThat(take()).isEqualTo("audio 3 3");
    joined(b, "B");
    assertThat(take()).isEqualTo("refreshed B");
    // Both now carry the stream for a moment: each frame is heard once, in order.
    frame(b, 3, AudioFrame.FLAG_REPLAY);
    frame(a, 4, 0);
    frame(b, 4, 0);
    frame(b, 5, 0);
    frame(a, 5, 0);
    assertThat(take()).isEqualTo("audio 4 4");
    assertThat(take()).isEqualTo("audio 5 5");
    assertThat(await(closedCode(a))).isEqualTo((short) 1000);
    frame(b, 6, 0);
    assertThat(take()).isEqualTo("audio 6 6");
    assertThat(connection.connectionId()).isEqualTo("B");
  }

  @Test
  void reconnectsAfterADropWithTheServersHintAndResumes() throws Exception {
    ServerWebSocket a = join("A");
    frame(a, 7, 0);
    assertThat(take()).isEqualTo("audio 7 7");
    a.writeTextMessage(
        "{\"type\":\"error\",\"code\":\"SERVICE_UNAVAILABLE\",\"retryAfterMs\":300}");
    long closedAt = System.nanoTime();
    a.close((short) 4503, "store down");
    assertThat(take()).isEqualTo("error SERVICE_UNAVAILABLE");
    assertThat(take()).isEqualTo("closed 4503 true");
    ServerWebSocket b = next();
    assertThat(System.nanoTime() - closedAt).isGreaterThanOrEqualTo(300_000_000L);
    assertThat(b.query()).endsWith("&previousConnectionId=A&lastSeq=7");
    joined(b, "B");
    assertThat(take()).isEqualTo("joined B");
    frame(b, 8, AudioFrame.FLAG_REPLAY);
    assertThat(take()).isEqualTo("audio 8 8");
  }

  @Test
  void givesUpOnACloseThatSaysDoNotReconnect() throws Exception {
    ServerWebSocket a = join("A");
    a.writeTextMessage("{\"type\":\"sessionEnded\",\"sessionId\":\"s-1\"}");
    a.close((short) 4410, "session ended");
    assertThat(take()).isEqualTo("closed 4410 false");
    assertThat(accepted.poll(500, TimeUnit.MILLISECONDS)).isNull();
    connection = null;
  }

  @Test
  void aRefusedConnectionFailsWithTheServersError() throws Exception {
    Future<Connection> f = listener().connect();
    ServerWebSocket ws = next();
    ws.writeTextMessage(
        "{\"type\":\"error\",\"code\":\"SESSION_NOT_FOUND\",\"message\":\"no such session\"}");
    ws.close((short) 4404, "session not found");
    try {
      await(f);
      throw new AssertionError("connect() should have failed");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ConnectionRejectedException.class);
      ConnectionRejectedException r = (ConnectionRejectedException) e.getCause();
      assertThat(r.closeCode()).isEqualTo(4404);
      assertThat(r.errorCode()).isEqualTo("SESSION_NOT_FOUND");
    }
  }

  private static Future<Short> closedCode(ServerWebSocket ws) {
    io.vertx.core.Promise<Short> p = io.vertx.core.Promise.promise();
    try {
      ws.closeHandler(v -> p.tryComplete(ws.closeStatusCode()));
    } catch (IllegalStateException closedMeanwhile) {
      // it closed between the caller's last look and now: Vert.x refuses a handler then
      p.tryComplete(ws.closeStatusCode());
    }
    if (ws.isClosed()) {
      p.tryComplete(ws.closeStatusCode());
    }
    return p.future();
  }
}
