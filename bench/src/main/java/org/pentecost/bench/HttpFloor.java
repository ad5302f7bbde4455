package org.pentecost.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The floor of {@code bench/http/run.sh}: the smallest Vert.x 5 HTTP server that answers every
 * request with the same JSON body as Pentecost's {@code GET /sessions/{id}} (read from a file) and
 * {@code Content-Type: application/json}; one event loop, no router, no log, no metrics.
 * Pentecost's GET throughput is reported as a ratio of this one's, measured the same way in the
 * same run.
 *
 * <pre>
 *   java -cp bench/target/pentecost-bench.jar org.pentecost.bench.HttpFloor PORT BODY_FILE
 * </pre>
 */
public final class HttpFloor {
  private HttpFloor() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: HttpFloor PORT BODY_FILE");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    Buffer body = Buffer.buffer(Files.readAllBytes(Path.of(args[1])));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    vertx
        .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .requestHandler(
            request -> request.response().putHeader("Content-Type", "application/json").end(body))
        .listen()
        .toCompletionStage()
        .toCompletableFuture()
        .join();
    System.out.println("listening on " + port);
  }
}
