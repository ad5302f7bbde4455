package org.pentecost.server.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.BooleanSupplier;
import org.pentecost.server.metrics.Metrics;
import org.pentecost.server.session.Languages;
import org.pentecost.server.session.SessionService;

/** {@code /health}, {@code /languages}, {@code /metrics}. */
final class SystemRoutes {
  private final SessionService sessions;
  private final Metrics metrics;
  private final String version;
  private final String nodeId;
  private final String storeType;
  private final BooleanSupplier draining;

  SystemRoutes(
      SessionService sessions,
      Metrics metrics,
      String version,
      String nodeId,
      String storeType,
      BooleanSupplier draining) {
    this.draining = draining;
    this.sessions = sessions;
    this.metrics = metrics;
    this.version = version;
    this.nodeId = nodeId;
    this.storeType = storeType;
  }

  void mount(Router router) {
    router
        .get("/health")
        .handler(HttpApi::tagRoute)
        .handler(
            ctx -> {
              long start = System.nanoTime();
              sessions
                  .ping()
                  .onComplete(
                      ar -> {
                        double millis = (System.nanoTime() - start) / 1e6;
                        boolean drain = draining.getAsBoolean();
                        boolean ok = ar.succeeded() && !drain;
                        JsonObject body =
                            new JsonObject()
                                .put(
                                    "status",
                                    drain ? "draining" : ar.succeeded() ? "healthy" : "unhealthy")
                                .put("store", ar.succeeded() ? "connected" : "unavailable")
                                .put("storeType", storeType)
                                .put("version", version)
                                .put("node", nodeId)
                                .put("responseTimeMs", Math.round(millis * 100) / 100.0)
                                .put("timestamp", System.currentTimeMillis());
                        ctx.response()
                            .setStatusCode(ok ? 200 : 503)
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Cache-Control", "no-store")
                            .end(body.encode());
                      });
            });
    router
        .get("/languages")
        .handler(HttpApi::tagRoute)
        .handler(
            ctx -> {
              JsonArray list = new JsonArray();
              for (String code : sessions.languages().codes()) {
                list.add(new JsonObject().put("code", code).put("name", Languages.name(code)));
              }
              ctx.response()
                  .putHeader("Content-Type", "application/json")
                  .end(new JsonObject().put("languages", list).encode());
            });
    router
        .get("/metrics")
        .handler(HttpApi::tagRoute)
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape()));
  }
}
