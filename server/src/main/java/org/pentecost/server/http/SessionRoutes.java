package org.pentecost.server.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
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
  private static final CharSequence APPLICATION_JSON =
      HttpHeaders.createOptimized("application/json");

  private final SessionService sessions;
  private final TokenVerifier tokens;

  SessionRoutes(SessionService sessions, TokenVerifier tokens) {
    this.sessions = sessions;
    this.tokens = tokens;
  }

  /**
   * {@code GET /sessions/{id}}, the call every phone makes first: mounted ahead of the body handler
   * (a GET has no body to read) and of the other routes, so that it is the first route a request
   * after the common handlers is matched against.
   */
  void mountRead(Router router) {
    router
        .get("/sessions/:id")
        .handler(
            ctx -> {
              HttpApi.remember(ctx);
              reply(ctx, 200, sessions.view(ctx.pathParam("id")));
            });
  }

  /** The other session routes; {@link #mountRead} comes first. */
  void mount(Router router) {
    router.post("/sessions").handler(HttpApi::tagRoute).handler(authed(this::create));
    router.get("/sessions").handler(HttpApi::tagRoute).handler(authed(this::listMine));
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
        .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .end(Buffer.buffer(Json.bytes(body)));
  }
}
