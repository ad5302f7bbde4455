package org.pentecost.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.pentecost.protocol.Messages;

/**
 * A Pentecost WebSocket client: pick a role, set what you need, {@link #connect()}.
 *
 * <pre>{@code
 * PentecostClient.listener(vertx, URI.create("http://127.0.0.1:8080"), "blessed-shepherd-427", "es")
 *     .listener(new Listener() {
 *       public void onAudio(AudioFrame.Header header, Buffer payload) { play(payload); }
 *     })
 *     .connect()
 *     .onSuccess(connection -> System.out.println("joined as " + connection.connectionId()));
 * }</pre>
 *
 * <p>The {@link Connection} then sends heartbeats, follows {@code connectionRefreshRequired} with a
 * gapless refresh, and reconnects after a drop when the close code allows it (see {@link
 * org.pentecost.protocol.CloseCode#reconnect()}), resuming audio after the last frame delivered.
 * This object is a reusable description: each {@code connect()} opens a new connection.
 */
public final class PentecostClient {
  private final Vertx vertx;
  private final URI base;
  private final String role;
  private final String sessionId;
  private final String targetLanguage;
  private final String token;
  private final Map<String, String> params = new LinkedHashMap<>();
  private Listener listener = new Listener() {};
  private WebSocketClient sharedClient;
  private Duration connectTimeout = Duration.ofSeconds(10);
  private Duration initialBackoff = Duration.ofMillis(500);
  private Duration maxBackoff = Duration.ofSeconds(30);
  private int maxReconnectAttempts = 20;

  private PentecostClient(
      Vertx vertx, URI base, String role, String sessionId, String targetLanguage, String token) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.base = Objects.requireNonNull(base, "base");
    this.role = role;
    this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
    this.targetLanguage = targetLanguage;
    this.token = token;
    String scheme = scheme(base);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("base must be http(s):// or ws(s)://, got " + base);
    }
    if (base.getHost() == null) {
      throw new IllegalArgumentException("base has no host: " + base);
    }
  }

  /**
   * An anonymous listener of {@code sessionId}, hearing {@code targetLanguage} (null: the session's
   * source language). {@code base} is the server's URL, e.g. {@code http://127.0.0.1:8080}.
   */
  public static PentecostClient listener(
      Vertx vertx, URI base, String sessionId, String targetLanguage) {
    return new PentecostClient(
        vertx, base, Messages.ROLE_LISTENER, sessionId, targetLanguage, null);
  }

  /** The session's speaker, with the owner's JWT; publishes the source audio. */
  public static PentecostClient speaker(Vertx vertx, URI base, String sessionId, String token) {
    return new PentecostClient(
        vertx, base, Messages.ROLE_SPEAKER, sessionId, null, Objects.requireNonNull(token));
  }

  /** A translation worker for {@code language}: receives the source audio, publishes its own. */
  public static PentecostClient worker(
      Vertx vertx, URI base, String sessionId, String token, String language) {
    return new PentecostClient(
        vertx,
        base,
        Messages.ROLE_WORKER,
        sessionId,
        Objects.requireNonNull(language, "language"),
        Objects.requireNonNull(token, "token"));
  }

  /** Who hears about the connection (default: nobody). */
  public PentecostClient listener(Listener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Another query parameter, kept on refreshes and reconnects: {@code codec}, {@code sampleRate},
   * {@code channels}, {@code frameMs} (publishers), {@code fallback} (listeners).
   */
  public PentecostClient param(String name, String value) {
    params.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
    return this;
  }

  /**
   * Opens the WebSockets with this client (many connections can share one; the caller closes it).
   * By default each connection has its own and closes it when it ends.
   */
  public PentecostClient webSocketClient(WebSocketClient client) {
    this.sharedClient = client;
    return this;
  }

  /** Limit for the TCP connect, the upgrade, and the wait for {@code sessionJoined} (10 s). */
  public PentecostClient connectTimeout(Duration timeout) {
    this.connectTimeout = positive(timeout, "connectTimeout");
    return this;
  }

  /** Reconnect backoff: first step and ceiling (500 ms, 30 s), with jitter. */
  public PentecostClient backoff(Duration initial, Duration max) {
    this.initialBackoff = positive(initial, "initial");
    this.maxBackoff = positive(max, "max");
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max backoff below the initial one");
    }
    return this;
  }

  /** Reconnect attempts after a drop before giving up (20); 0 turns reconnecting off. */
  public PentecostClient maxReconnectAttempts(int attempts) {
    if (attempts < 0) {
      throw new IllegalArgumentException("maxReconnectAttempts must not be negative");
    }
    this.maxReconnectAttempts = attempts;
    return this;
  }

  /**
   * Connects; completes when the server says {@code sessionJoined}. Fails with a {@link
   * ConnectionRejectedException} when the server refuses (its {@code error} and close code), or
   * with the network's exception. The first connection is not retried.
   */
  public Future<Connection> connect() {
    boolean tls = scheme(base).equals("https");
    int port = base.getPort() != -1 ? base.getPort() : tls ? 443 : 80;
    ConnectQuery query =
        new ConnectQuery(
            ConnectQuery.endpointPath(base.getRawPath()),
            role,
            sessionId,
            targetLanguage,
            token,
            params);
    WebSocketClient client = sharedClient;
    boolean owns = client == null;
    if (owns) {
      client =
          vertx.createWebSocketClient(
              new WebSocketClientOptions().setConnectTimeout((int) connectTimeout.toMillis()));
    }
    Settings settings =
        new Settings(
            base.getHost(),
            port,
            tls,
            query,
            listener,
            connectTimeout.toMillis(),
            new Backoff(
                initialBackoff.toMillis(),
                maxBackoff.toMillis(),
                () -> ThreadLocalRandom.current().nextDouble()),
            maxReconnectAttempts);
    return new ClientConnection(vertx, vertx.getOrCreateContext(), client, owns, settings).start();
  }

  /** What a connection needs to know; fixed at {@code connect()}. */
  record Settings(
      String host,
      int port,
      boolean tls,
      ConnectQuery query,
      Listener listener,
      long connectTimeoutMillis,
      Backoff backoff,
      int maxReconnectAttempts) {}

  private static String scheme(URI uri) {
    String s = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "ws" -> "http";
      case "wss" -> "https";
      default -> s;
    };
  }

  private static Duration positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return d;
  }
}
