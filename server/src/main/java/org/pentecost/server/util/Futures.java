package org.pentecost.server.util;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/** Helpers for Vert.x futures that know nothing of what produced them. */
public final class Futures {
  private Futures() {}

  /**
   * The same outcome, delivered on {@code context}: for a future completed elsewhere (a Redis
   * client answers on its own context, a serial queue on whichever thread ran the change).
   */
  public static <T> Future<T> onContext(Future<T> f, Context context) {
    Promise<T> promise = Promise.promise();
    f.onComplete(
        ar -> {
          if (Vertx.currentContext() == context) {
            promise.handle(ar);
          } else {
            context.runOnContext(v -> promise.handle(ar));
          }
        });
    return promise.future();
  }
}
