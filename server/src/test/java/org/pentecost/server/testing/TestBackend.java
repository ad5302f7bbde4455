package org.pentecost.server.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.pentecost.server.backend.Signature;

/**
 * A real HTTP backend on a free port, as a backend developer would write one: it records every
 * request Pentecost makes (path, headers, body), checks each one's signature, and answers as a test
 * tells it to, per path: a status and body, after a delay, or by dropping the connection (a backend
 * that is down).
 */
public final class TestBackend implements AutoCloseable {
  /** The secret tests give Pentecost as {@code backend.signingSecret}. */
  public static final String SECRET = "test-signing-secret-0123456789";

  /** One request as it arrived. */
  public record Request(
      String path, Map<String, String> headers, String body, boolean signed, long receivedAt) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** How to answer: a status and body after {@code delay}; {@code drop} closes the connection. */
  public record Answer(int status, String body, Duration delay, boolean drop) {
    public static Answer of(int status, String body) {
      return new Answer(status, body, Duration.ZERO, false);
    }

    public static Answer empty() {
      return of(200, "");
    }

    public static Answer down() {
      return new Answer(0, "", Duration.ZERO, true);
    }

    public Answer after(Duration delay) {
      return new Answer(status, body, delay, drop);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Signature signature = new Signature(SECRET);
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Function<Request, Answer>> answers = new ConcurrentHashMap<>();

  public TestBackend() {
    server =
        vertx
            .createHttpServer()
            .requestHandler(this::handle)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
  }

  public int port() {
    return server.actualPort();
  }

  /** The URL of {@code path} on this backend (e.g. {@code /connect}). */
  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** Answers requests to {@code path} with {@code answer} from now on (default: 200, empty). */
  public TestBackend answer(String path, Answer answer) {
    answers.put(path, r -> answer);
    return this;
  }

  /** Answers requests to {@code path} as {@code answer} decides for each. */
  public TestBackend answer(String path, Function<Request, Answer> answer) {
    answers.put(path, answer);
    return this;
  }

  /** Every request so far to {@code path}, in arrival order. */
  public List<Request> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** Waits until {@code path} has received at least {@code count} requests; returns them all. */
  public List<Request> await(String path, int count) {
    Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> requests(path).size() >= count);
    return requests(path);
  }

  public void clear() {
    requests.clear();
  }

  private void handle(HttpServerRequest request) {
    request
        .body()
        .onSuccess(
            body -> {
              Map<String, String> headers = new java.util.LinkedHashMap<>();
              request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
              boolean signed =
                  signature.verify(
                      request.getHeader(Signature.HEADER),
                      body.getBytes(),
                      System.currentTimeMillis() / 1000,
                      300);
              Request r =
                  new Request(
                      request.path(), headers, body.toString(), signed, System.currentTimeMillis());
              requests.add(r);
              Answer a = answers.getOrDefault(request.path(), x -> Answer.empty()).apply(r);
              Runnable reply =
                  () -> {
                    if (a.drop()) {
                      request.connection().close();
                    } else {
                      request
                          .response()
                          .setStatusCode(a.status())
                          .putHeader("Content-Type", "application/json")
                          .end(a.body());
                    }
                  };
              if (a.delay().isZero()) {
                reply.run();
              } else {
                vertx.setTimer(a.delay().toMillis(), t -> reply.run());
              }
            });
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
