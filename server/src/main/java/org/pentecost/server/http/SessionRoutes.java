package org.pentecost.server.http;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.pentecost.server.auth.BearerToken;
import org.pentecost.server.auth.Principal;
import org.pentecost.server.auth.TokenVerifier;
import org.pentecost.server.session.SessionPatch;
import org.pentecost.server.session.SessionService;
import org.pentecost.server.session.SessionView;
import org.pentecost.server.util.Json;

/** {@code /sessions}: create, read, list mine, patch, end. */
final class SessionRoutes {
  private final SessionService sessions;
  private final TokenVerifier tokens;

  SessionRoutes(SessionService sessions, TokenVerifier tokens) {
    this.sessions = sessions;
    this.tokens = tokens;
  }

  void mount(Router router) {
    router.post("/sessions").handler(HttpApi::tagRoute).handler(authed(this::create));
    router.get("/sessions").handler(HttpApi::tagRoute).handler(authed(this::listMine));
    router
        .get("/sessions/:id")
        .handler(HttpApi::tagRoute)
        .handler(ctx -> reply(ctx, 200, sessions.view(ctx.pathParam("id"))));
    router.patch("/sessions/:id").handler(HttpApi::tagRoute).handler(authed(this::patch));
    router.delete("/sessions/:id").handler(HttpApi::tagRoute).handler(authed(this::end));
  }

  private Future<?> create(RoutingContext ctx, Principal speaker) {
    SessionRequests.Create request = SessionRequests.create(JsonBodies.bytes(ctx));
    return sessions
        .create(
            speaker, request.sourceLanguage(), request.qualityTier(), request.transcriptPublic())
        .onSuccess(
            view -> {
              ctx.response().putHeader("Location", "/sessions/" + view.sessionId());
              send(ctx, 201, view);
            });
  }

  private Future<?> listMine(RoutingContext ctx, Principal speaker) {
    return sessions.listMine(speaker).onSuccess(list -> send(ctx, 200, list));
  }

  private Future<?> patch(RoutingContext ctx, Principal caller) {
    SessionPatch patch = SessionRequests.patch(JsonBodies.bytes(ctx));
    return sessions
        .update(caller, ctx.pathParam("id"), patch)
        .onSuccess(view -> send(ctx, 200, view));
  }

  private Future<?> end(RoutingContext ctx, Principal caller) {
    return sessions
        .end(caller, ctx.pathParam("id"))
        .onSuccess(v -> ctx.response().setStatusCode(204).end());
  }

  /** Verifies the bearer token, then runs the handler; any failure goes to {@link ErrorReplies}. */
  private io.vertx.core.Handler<RoutingContext> authed(
      java.util.function.BiFunction<RoutingContext, Principal, Future<?>> handler) {
    return ctx ->
        tokens
            .verify(bearer(ctx))
            .compose(principal -> handler.apply(ctx, principal))
            .onFailure(ctx::fail);
  }

  static String bearer(RoutingContext ctx) {
    return BearerToken.fromHeader(ctx.request().getHeader("Authorization"));
  }

  private static void reply(RoutingContext ctx, int status, Future<SessionView> view) {
    view.onSuccess(v -> send(ctx, status, v)).onFailure(ctx::fail);
  }

  static void send(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(Json.write(body));
  }
}
