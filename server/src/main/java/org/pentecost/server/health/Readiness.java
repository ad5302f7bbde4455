package org.pentecost.server.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Whether a node should get traffic: its start-up is done, it is not draining, and its store
 * answers. Every check is made and reported each time, so that a 503 says which failed.
 */
public final class Readiness {
  private final BooleanSupplier started;
  private final BooleanSupplier draining;
  private final Supplier<Future<Void>> storePing;

  public Readiness(
      BooleanSupplier started, BooleanSupplier draining, Supplier<Future<Void>> storePing) {
    this.started = started;
    this.draining = draining;
    this.storePing = storePing;
  }

  /** The outcome as the probe's body: {@code ready}, each check's state, the failed ones. */
  public Future<Result> check() {
    boolean up = started.getAsBoolean();
    boolean drain = draining.getAsBoolean();
    return storePing
        .get()
        .transform(
            ar -> {
              JsonObject checks =
                  new JsonObject()
                      .put("startup", up ? "done" : "starting")
                      .put("drain", drain ? "draining" : "serving")
                      .put("store", ar.succeeded() ? "connected" : "unavailable");
              JsonArray failed = new JsonArray();
              if (!up) {
                failed.add("startup");
              }
              if (drain) {
                failed.add("drain");
              }
              if (ar.failed()) {
                failed.add("store");
              }
              boolean ready = failed.isEmpty();
              JsonObject body =
                  new JsonObject()
                      .put("status", ready ? "ready" : "not ready")
                      .put("checks", checks)
                      .put("failed", failed);
              if (ar.failed()) {
                body.put("storeError", String.valueOf(ar.cause().getMessage()));
              }
              return Future.succeededFuture(new Result(ready, body));
            });
  }

  /** Whether the node is ready, and the JSON body that says why (not). */
  public record Result(boolean ready, JsonObject body) {}
}
