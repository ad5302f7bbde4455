package org.pentecost.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.pentecost.server.PentecostServer;
import org.pentecost.server.auth.HmacSecret;
import org.pentecost.server.auth.TokenMinter;
import org.pentecost.server.config.ConfigLoader;
import org.pentecost.server.config.PentecostConfig;

/** A real Pentecost node on a free port with its own data directory, plus an HTTP client. */
public final class TestServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PentecostServer server;
  private final PentecostConfig config;
  private final HttpClient http;

  private TestServer(PentecostServer server, PentecostConfig config) {
    this.server = server;
    this.config = config;
    this.http =
        server.isTls()
            ? HttpClient.newBuilder().sslContext(trusting(server.tlsCertificate())).build()
            : HttpClient.newHttpClient();
  }

  /** A TLS context that trusts {@code cert} alone (and checks host names as always). */
  public static javax.net.ssl.SSLContext trusting(java.security.cert.X509Certificate cert) {
    try {
      java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("node", cert);
      javax.net.ssl.TrustManagerFactory tmf =
          javax.net.ssl.TrustManagerFactory.getInstance(
              javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (java.security.GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The HTTP client of this node's tests (trusting its certificate when it speaks TLS). */
  public HttpClient httpClient() {
    return http;
  }

  /** Starts a node; {@code settings} are config key paths (e.g. {@code sessions.ttl}) → values. */
  public static TestServer start(Path dataDir, Map<String, String> settings) {
    ConfigLoader loader =
        new ConfigLoader().env(Map.of()).flag("server.port", 0).flag("server.dataDir", dataDir);
    loader.flag("server.instances", 2);
    // Tests stop nodes with clients still connected: a short drain unless a test sets its own.
    loader.flag("connections.drainTimeout", "1s");
    settings.forEach(loader::flag);
    PentecostConfig config = loader.load();
    return new TestServer(
        await(PentecostServer.start(config).toCompletionStage().toCompletableFuture()), config);
  }

  public static TestServer start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  public int port() {
    return server.port();
  }

  public PentecostServer server() {
    return server;
  }

  public String baseUrl() {
    return (server.isTls() ? "https" : "http") + "://127.0.0.1:" + server.port();
  }

  /** A valid speaker token for {@code user}, signed with this node's secret. */
  public String token(String user) {
    return token(user, Duration.ofHours(1), Clock.systemUTC());
  }

  public String token(String user, Duration ttl, Clock clock) {
    byte[] secret = HmacSecret.loadOrCreate(config.server().dataDir(), config.auth().hmacSecret());
    return TokenMinter.mint(secret, config.auth().issuer(), user, ttl, clock);
  }

  public Response get(String path) {
    return send("GET", path, null, null);
  }

  /** GET on {@code server.adminPort} (the node must have one). */
  public Response adminGet(String path) {
    if (server.adminPort() < 0) {
      throw new IllegalStateException("this node has no admin port");
    }
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
              .timeout(Duration.ofSeconds(30))
              .build();
      return new Response(http.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (Exception e) {
      throw new IllegalStateException("GET " + path + " on the admin port failed", e);
    }
  }

  public Response send(String method, String path, String token, String body) {
    return send(method, path, token, body, Map.of());
  }

  public Response send(
      String method, String path, String token, String body, Map<String, String> headers) {
    try {
      return sendAsync(method, path, token, body, headers).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    }
  }

  public CompletableFuture<Response> sendAsync(
      String method, String path, String token, String body, Map<String, String> headers) {
    return sendAsync(
        method,
        path,
        token,
        body == null ? null : HttpRequest.BodyPublishers.ofString(body),
        headers);
  }

  /** Sends any bytes as the body (not only text), with {@code Content-Type: application/json}. */
  public Response sendBytes(String method, String path, String token, byte[] body) {
    try {
      return sendAsync(method, path, token, HttpRequest.BodyPublishers.ofByteArray(body), Map.of())
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    }
  }

  private CompletableFuture<Response> sendAsync(
      String method,
      String path,
      String token,
      HttpRequest.BodyPublisher body,
      Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(Response::new);
  }

  /** Creates a session as {@code token}'s user and returns its id. */
  public String createSession(String token, String sourceLanguage) {
    Response r =
        send("POST", "/sessions", token, "{\"sourceLanguage\":\"" + sourceLanguage + "\"}");
    if (r.status() != 201) {
      throw new IllegalStateException("create failed: " + r.status() + " " + r.body());
    }
    return r.json().get("sessionId").asText();
  }

  /** The session's live listener count, as the public API reports it. */
  public int listenerCount(String sessionId) {
    return get("/sessions/" + sessionId).json().get("listenerCount").asInt();
  }

  /** Waits (10 s at most) until the session's listener count is {@code n}. */
  public void awaitListenerCount(String sessionId, int n) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> listenerCount(sessionId) == n);
  }

  /** The sum of every series of a Prometheus metric ({@code pentecost_..._total}), 0 if none. */
  public double metric(String name) {
    return (server.adminPort() > 0 ? adminGet("/metrics") : get("/metrics"))
        .body()
        .lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  public void stop() {
    await(server.stop().toCompletionStage().toCompletableFuture());
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * The result of {@code f} within 30 s; its failure rethrown unchecked (the toolkit's one wait).
   */
  static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An HTTP response with its body parsed as JSON when it is JSON. */
  public record Response(int status, Map<String, String> headers, String body) {
    Response(HttpResponse<String> r) {
      this(r.statusCode(), firstValues(r), r.body());
    }

    private static Map<String, String> firstValues(HttpResponse<String> r) {
      Map<String, String> m = new LinkedHashMap<>();
      r.headers().map().forEach((k, v) -> m.put(k.toLowerCase(), v.get(0)));
      return m;
    }

    public String header(String name) {
      return headers.get(name.toLowerCase());
    }

    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON: " + body, e);
      }
    }

    /** The stable error code of an error reply. */
    public String code() {
      return json().path("code").asText();
    }
  }
}
