package org.pentecost.server.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.pentecost.server.health.EventLoopWatch;
import org.pentecost.server.health.Readiness;
import org.pentecost.server.metrics.Metrics;

/**
 * What an operator's tools read: the probes {@code /health/live} (the process and every event loop
 * answer) and {@code /health/ready} (start-up done, not draining, store reachable), and {@code
 * /metrics}. On the public port unless {@code server.adminPort} is set, then on that port only.
 */
public final class OpsRoutes {
  private final EventLoopWatch loops;
  private final Readiness readiness;
  private final Metrics metrics;

  public OpsRoutes(EventLoopWatch loops, Readiness readiness, Metrics metrics) {
    this.loops = loops;
    this.readiness = readiness;
    this.metrics = metrics;
  }

  void mount(Router router) {
    router.get("/health/live").handler(HttpApi::tagRoute).handler(this::live);
    router.get("/health/ready").handler(HttpApi::tagRoute).handler(this::ready);
    router
        .get("/metrics")
        .handler(HttpApi::tagRoute)
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape()));
  }

  private void live(RoutingContext ctx) {
    List<Integer> stalled = loops.stalled();
    JsonObject body =
        new JsonObject()
            .put("status", stalled.isEmpty() ? "live" : "stalled")
            .put("eventLoops", loops.loops())
            .put("worstDelayMs", loops.worstDelayMillis());
    if (!stalled.isEmpty()) {
      body.put("stalledEventLoops", new JsonArray(List.copyOf(stalled)));
    }
    reply(ctx, stalled.isEmpty(), body);
  }

  private void ready(RoutingContext ctx) {
    readiness.check().onSuccess(r -> reply(ctx, r.ready(), r.body()));
  }

  private static void reply(RoutingContext ctx, boolean ok, JsonObject body) {
    ctx.response()
        .setStatusCode(ok ? 200 : 503)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }
}
