package org.pentecost.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Creates sessions over the HTTP API ({@code POST /sessions}), a few at a time. */
final class SessionCreator {
  private static final int IN_FLIGHT = 8;

  private final Vertx vertx;
  private final Target target;
  private final String token;

  SessionCreator(Vertx vertx, Target target, String token) {
    this.vertx = vertx;
    this.target = target;
    this.token = token;
  }

  /**
   * Creates {@code count} sessions; the future holds their ids in creation order, or fails with the
   * first error (status and body of the response).
   */
  Future<List<String>> create(int count, String sourceLanguage, long timeoutMillis) {
    HttpClientAgent client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost(target.host())
                .setDefaultPort(target.port())
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis)),
            new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
    String body = new JsonObject().put("sourceLanguage", sourceLanguage).encode();
    String[] ids = new String[count];
    Promise<List<String>> done = Promise.promise();
    int[] next = {0};
    int[] finished = {0};
    // Runs on one context: the counters need no synchronisation.
    vertx.runOnContext(
        v -> {
          for (int i = 0; i < Math.min(IN_FLIGHT, count); i++) {
            createNext(client, body, ids, next, finished, done, timeoutMillis);
          }
        });
    return done.future().eventually(() -> client.close());
  }

  private void createNext(
      HttpClientAgent client,
      String body,
      String[] ids,
      int[] next,
      int[] finished,
      Promise<List<String>> done,
      long timeoutMillis) {
    if (next[0] >= ids.length || done.future().isComplete()) {
      return;
    }
    int index = next[0]++;
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setURI("/sessions")
            .setTimeout(timeoutMillis)
            .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    client
        .request(request)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> checked(resp, b)))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                done.tryFail(ar.cause());
                return;
              }
              ids[index] = ar.result();
              if (++finished[0] == ids.length) {
                done.tryComplete(new ArrayList<>(Arrays.asList(ids)));
              } else {
                createNext(client, body, ids, next, finished, done, timeoutMillis);
              }
            });
  }

  private static String checked(HttpClientResponse resp, Buffer body) {
    if (resp.statusCode() != 201) {
      String text = body.toString();
      throw new IllegalStateException(
          "POST /sessions answered "
              + resp.statusCode()
              + ": "
              + (text.length() > 300 ? text.substring(0, 300) + "..." : text));
    }
    String id = new JsonObject(body).getString("sessionId");
    if (id == null || id.isBlank()) {
      throw new IllegalStateException("POST /sessions answered 201 without a sessionId: " + body);
    }
    return id;
  }
}
