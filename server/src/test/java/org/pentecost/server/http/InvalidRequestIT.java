package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpApi#invalidRequest} on a real Vert.x HTTP server: what the HTTP decoder refuses gets
 * the JSON error body rather than an empty 414 or 431.
 */
class InvalidRequestIT {
  /** HTTP/1.1: the limits and the handler are those of the HTTP/1 decoder. */
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private Vertx vertx;
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        vertx
            .createHttpServer()
            .requestHandler(r -> r.response().end("ok"))
            .invalidRequestHandler(HttpApi::invalidRequest)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(String path, String header) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
            .timeout(Duration.ofSeconds(10));
    if (header != null) {
      b.header("X-Big", header);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertJsonError(HttpResponse<String> r, String message) throws Exception {
    assertThat(r.statusCode()).as("%s %s", r.headers().map(), r.body()).isEqualTo(400);
    JsonNode body = new ObjectMapper().readTree(r.body());
    assertThat(body.get("code").asText()).isEqualTo("INVALID_REQUEST");
    assertThat(body.get("error").asText()).isEqualTo(message);
    assertThat(body.get("timestamp").isNumber()).isTrue();
  }

  @Test
  void aRequestLineTooLongGetsTheJsonError() throws Exception {
    assertThat(get("/short", null).body()).isEqualTo("ok");
    assertJsonError(get("/" + "x".repeat(5_000), null), "the request line is too long");
  }

  @Test
  void headersTooLargeGetTheJsonError() throws Exception {
    assertJsonError(get("/", "y".repeat(10_000)), "the request headers are too large");
  }
}
