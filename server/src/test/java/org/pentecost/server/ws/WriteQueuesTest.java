package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pentecost.server.testing.WsClient;

/**
 * {@link WriteQueues} on a real Vert.x server and a real client: both write queues of an upgraded
 * socket are swapped, and the socket still delivers every message in order, written from its event
 * loop and from other threads at once, then closes with its code.
 */
class WriteQueuesTest {
  private static final int MESSAGES = 2_000;

  private final Vertx vertx = Vertx.vertx();
  private final CompletableFuture<Upgraded> upgraded = new CompletableFuture<>();

  private record Upgraded(ServerWebSocket socket, HttpConnection from, int swapped) {}

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private int start() throws Exception {
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  HttpConnection from = request.connection();
                  request
                      .toWebSocket()
                      .onSuccess(
                          ws ->
                              upgraded.complete(
                                  new Upgraded(ws, from, WriteQueues.shrink(ws, from))))
                      .onFailure(upgraded::completeExceptionally);
                });
    return server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .actualPort();
  }

  @Test
  void swapsBothQueuesAndTheSocketStillDeliversInOrderThenCloses() throws Exception {
    assertThat(WriteQueues.available()).as("Vert.x keeps the fields where 5.0 does").isTrue();
    int port = start();
    try (WsClient client = WsClient.connect(port, "x=1", Map.of())) {
      Upgraded u = upgraded.get(10, TimeUnit.SECONDS);
      assertThat(u.swapped()).isEqualTo(2);
      Object socketConnection = WriteQueues.connectionOf(u.socket());
      assertThat(WriteQueues.queueOf(socketConnection))
          .isInstanceOf(java.util.concurrent.ConcurrentLinkedQueue.class);
      assertThat(WriteQueues.queueOf(u.from()))
          .isInstanceOf(java.util.concurrent.ConcurrentLinkedQueue.class);
      // A second call finds nothing left to swap.
      assertThat(WriteQueues.shrink(u.socket(), u.from())).isZero();

      // Two writers: the event loop (even numbers) and a thread of its own (odd numbers).
      Thread other =
          new Thread(
              () -> {
                for (int i = 1; i < MESSAGES; i += 2) {
                  u.socket().writeTextMessage("{\"type\":\"n\",\"i\":" + i + "}");
                }
              });
      other.start();
      vertx.runOnContext(
          v -> {
            for (int i = 0; i < MESSAGES; i += 2) {
              u.socket().writeTextMessage("{\"type\":\"n\",\"i\":" + i + "}");
            }
          });
      List<Integer> even = new ArrayList<>();
      List<Integer> odd = new ArrayList<>();
      for (int k = 0; k < MESSAGES; k++) {
        JsonNode m = client.next();
        int i = m.get("i").asInt();
        (i % 2 == 0 ? even : odd).add(i);
      }
      other.join(10_000);
      assertThat(even).hasSize(MESSAGES / 2).isSorted();
      assertThat(odd).hasSize(MESSAGES / 2).isSorted();

      u.socket().close((short) 4000, "done");
      assertThat(client.awaitClose()).isEqualTo(4000);
    }
  }
}
