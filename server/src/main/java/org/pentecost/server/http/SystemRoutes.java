package org.pentecost.server.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.BooleanSupplier;
import org.pentecost.server.session.Languages;
import org.pentecost.server.session.SessionService;

/** {@code /health} and {@code /languages} ({@code /metrics} and the probes: {@link OpsRoutes}). */
final class SystemRoutes {
  private final SessionService sessions;
  private final String version;
  private final String nodeId;
  private final String storeType;
  private final BooleanSupplier draining;
  private final String environment;

  SystemRoutes(
      SessionService sessions,
      String version,
      String nodeId,
      String storeType,
      BooleanSupplier draining,
      String environment) {
    this.draining = draining;
    this.environment = environment;
    this.sessions = sessions;
    this.version = version;
    this.nodeId = nodeId;
    this.storeType = storeType;
  }

  void mount(Router router) {
    health(router);
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
  }

  /** {@code /health}: 200 while the store answers and the node is not draining, else 503. */
  void health(Router router) {
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
                                .put("environment", environment)
                                .put("responseTimeMs", Math.round(millis * 100) / 100.0)
                                .put("timestamp", System.currentTimeMillis());
                        ctx.response()
                            .setStatusCode(ok ? 200 : 503)
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Cache-Control", "no-store")
                            .end(body.encode());
                      });
            });
  }
}
