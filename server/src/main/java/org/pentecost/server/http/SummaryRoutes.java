package org.pentecost.server.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.pentecost.server.auth.TokenVerifier;
import org.pentecost.server.session.Summaries;
import org.pentecost.server.util.Json;

/** {@code GET /sessions/{id}/summary}: the session's audience and audio, for its speaker. */
final class SummaryRoutes {
  private final Summaries summaries;
  private final TokenVerifier tokens;

  SummaryRoutes(Summaries summaries, TokenVerifier tokens) {
    this.summaries = summaries;
    this.tokens = tokens;
  }

  void mount(Router router) {
    router.get("/sessions/:id/summary").handler(HttpApi::tagRoute).handler(this::summary);
  }

  private void summary(RoutingContext ctx) {
    tokens
        .verify(SessionRoutes.bearer(ctx))
        .compose(reader -> summaries.read(reader, ctx.pathParam("id")))
        .onSuccess(
            s ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .end(Json.write(s)))
        .onFailure(ctx::fail);
  }
}
