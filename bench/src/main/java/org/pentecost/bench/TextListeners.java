package org.pentecost.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Listener WebSockets for the backend scenarios: opened a few at a time, each known by the {@code
 * connectionId} of its {@code sessionJoined}; every later text message goes to one handler with the
 * listener's index. Audio frames are ignored (nobody speaks in these scenarios).
 */
final class TextListeners {
  private static final int IN_FLIGHT = 64;

  private final Vertx vertx;
  private final Target target;
  private final WebSocketClient client;
  private final List<WebSocket> sockets = new ArrayList<>();
  private WebSocket[] byIndex = new WebSocket[0];

  TextListeners(Vertx vertx, Target target) {
    this.vertx = vertx;
    this.target = target;
    this.client =
        vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000));
  }

  /**
   * Opens {@code count} listeners of {@code sessionId} in {@code language}; completes with their
   * connection ids once every one has its {@code sessionJoined}.
   */
  Future<List<String>> open(
      int count, String sessionId, String language, BiConsumer<Integer, String> messages) {
    Promise<List<String>> done = Promise.promise();
    String[] joined = new String[count];
    byIndex = new WebSocket[count];
    int[] next = {0};
    int[] finished = {0};
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (next[0] < count && next[0] - finished[0] < IN_FLIGHT) {
            int i = next[0]++;
            client
                .connect(
                    new WebSocketConnectOptions()
                        .setHost(target.host())
                        .setPort(target.port())
                        .setURI(
                            "/ws?sessionId="
                                + sessionId
                                + "&role=listener&targetLanguage="
                                + language))
                .onSuccess(
                    ws -> {
                      synchronized (sockets) {
                        sockets.add(ws);
                      }
                      byIndex[i] = ws;
                      ws.binaryMessageHandler(b -> {});
                      ws.textMessageHandler(
                          text -> {
                            if (joined[i] == null) {
                              JsonObject m = new JsonObject(text);
                              if (!"sessionJoined".equals(m.getString("type"))) {
                                done.tryFail("listener " + i + " was refused: " + text);
                                return;
                              }
                              joined[i] = m.getString("connectionId");
                              finished[0]++;
                              if (finished[0] == count) {
                                done.tryComplete(List.of(joined));
                              } else {
                                pump[0].run();
                              }
                            } else {
                              messages.accept(i, text);
                            }
                          });
                    })
                .onFailure(e -> done.tryFail("listener " + i + " could not connect: " + e));
          }
        };
    vertx.runOnContext(v -> pump[0].run());
    return done.future();
  }

  /** Sends {@code text} on listener {@code index}. */
  void send(int index, String text) {
    byIndex[index].writeTextMessage(text);
  }

  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    synchronized (sockets) {
      sockets.forEach(s -> closing.add(s.close()));
    }
    return Future.join(closing).eventually(client::close).mapEmpty();
  }
}
