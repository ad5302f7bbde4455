package org.pentecost.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (the JDK's) that records every server message and the close, for tests:
 * {@code next()} waits for the next message, {@code awaitType("x")} for one of a type.
 */
public final class WsClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final LinkedBlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
  private final List<JsonNode> seen = java.util.Collections.synchronizedList(new ArrayList<>());
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
  private volatile WebSocket socket;

  private WsClient() {}

  /** Connects to {@code /ws?query} of the server; fails if the upgrade itself fails. */
  public static WsClient connect(TestServer server, String query) {
    if (server.server().isTls()) {
      return connect(
          URI.create("wss://127.0.0.1:" + server.port() + "/ws?" + query),
          server.httpClient(),
          Map.of());
    }
    return connect(server.port(), query, Map.of());
  }

  /** Connects to {@code uri} (ws:// or wss://) with {@code http}'s settings (its TLS trust). */
  public static WsClient connect(URI uri, HttpClient http, Map<String, String> headers) {
    WsClient client = new WsClient();
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    headers.forEach(builder::header);
    client.socket =
        builder.buildAsync(uri, client.listener()).orTimeout(10, TimeUnit.SECONDS).join();
    return client;
  }

  public static WsClient connect(int port, String query, Map<String, String> headers) {
    WsClient client = new WsClient();
    WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    headers.forEach(builder::header);
    client.socket =
        builder
            .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?" + query), client.listener())
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
    return client;
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          try {
            JsonNode node = JSON.readTree(text.toString());
            seen.add(node); // first: a caller woken by messages finds it in seen() too
            messages.add(node);
          } catch (Exception e) {
            throw new IllegalStateException("server sent non-JSON text: " + text, e);
          }
          text.setLength(0);
        }
        ws.request(1);
        return null;
      }

      private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

      @Override
      public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        binary.writeBytes(chunk);
        if (last) {
          frames.add(binary.toByteArray());
          binary.reset();
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        closed.complete(-1);
      }
    };
  }

  /** The next message, waiting up to 10 s. */
  public JsonNode next() {
    try {
      JsonNode m = messages.poll(10, TimeUnit.SECONDS);
      if (m == null) {
        throw new AssertionError("no message within 10 s; seen: " + seen);
      }
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Skips messages until one of {@code type} arrives (10 s). */
  public JsonNode awaitType(String type) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try {
        JsonNode m = messages.poll(100, TimeUnit.MILLISECONDS);
        if (m != null && type.equals(m.path("type").asText())) {
          return m;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("no '" + type + "' within 10 s; seen: " + seen);
  }

  /** The next message if one arrives within {@code wait}, else null. */
  public JsonNode poll(Duration wait) throws InterruptedException {
    return messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next binary (audio) frame, waiting up to 10 s. */
  public byte[] nextFrame() {
    try {
      byte[] f = frames.poll(10, TimeUnit.SECONDS);
      if (f == null) {
        throw new AssertionError("no audio frame within 10 s; messages: " + seen);
      }
      return f;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The next audio frame if one arrives within {@code wait}, else null. */
  public byte[] pollFrame(Duration wait) throws InterruptedException {
    return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Every message received so far. */
  public List<JsonNode> seen() {
    return List.copyOf(seen);
  }

  public boolean hasSeen(String type) {
    return seen().stream().anyMatch(m -> type.equals(m.path("type").asText()));
  }

  /**
   * Sends one text message. Sends are serialised: the JDK's WebSocket refuses a send while another
   * is pending, and tests send text from their own thread while a {@link Talker} streams audio.
   */
  public synchronized void send(String text) {
    socket.sendText(text, true).join();
  }

  public synchronized void sendBinary(byte[] data) {
    socket.sendBinary(ByteBuffer.wrap(data), true).join();
  }

  /**
   * Sends a text message in several frames. Stops when the server has closed the connection
   * meanwhile (it may refuse a message before its last frame).
   */
  public synchronized void sendFragmented(String text, int parts) {
    int step = Math.max(1, text.length() / parts);
    for (int i = 0; i < text.length(); i += step) {
      boolean last = i + step >= text.length();
      if (closed.isDone() || socket.isOutputClosed()) {
        return;
      }
      try {
        socket.sendText(text.substring(i, Math.min(text.length(), i + step)), last).join();
      } catch (java.util.concurrent.CompletionException e) {
        if (closed.isDone() || socket.isOutputClosed()) {
          return;
        }
        throw e;
      }
    }
  }

  /** The server's close code (waits up to 10 s); -1 for an abrupt end. */
  public int awaitClose() {
    try {
      return closed.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("not closed within 10 s; seen: " + seen, e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /** Closes from the client side, normally. */
  public void closeNormally() {
    if (!closed.isDone() && !socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }
  }

  /** Drops the TCP connection without a close handshake (a network failure). */
  public void abort() {
    socket.abort();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      socket.abort();
    }
  }
}
