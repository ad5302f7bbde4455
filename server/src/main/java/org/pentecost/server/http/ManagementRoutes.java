package org.pentecost.server.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.auth.TokenVerifier;
import org.pentecost.server.backend.BackendKeys;
import org.pentecost.server.backend.ConnectionManager;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.session.Session;
import org.pentecost.server.session.SessionService;

/**
 * The management API (API Gateway's {@code @connections}): {@code /@connections/{id}} POST, GET and
 * DELETE, {@code POST /sessions/{id}/broadcast}, {@code GET /sessions/{id}/connections}, on
 * whichever node holds the connections ({@link ConnectionManager}).
 *
 * <p>Authorized by a backend key ({@code Authorization: Bearer <key>}, {@link BackendKeys});
 * without one: 401 {@code INVALID_BACKEND_KEY} with {@code WWW-Authenticate: Bearer}. A broadcast
 * is also allowed with the session's speaker's token. A call with a valid key is checked once, in
 * {@link #exempt}, before the server-wide throttle, which it does not count against.
 */
final class ManagementRoutes {
  private static final String KEY_CHECKED = "pentecost.backendKey";
  private static final String DELIVERED = "{\"delivered\":true}";

  private final ConnectionManager connections;
  private final BackendKeys keys;
  private final SessionService sessions;
  private final TokenVerifier tokens;

  ManagementRoutes(
      ConnectionManager connections,
      BackendKeys keys,
      SessionService sessions,
      TokenVerifier tokens) {
    this.connections = connections;
    this.keys = keys;
    this.sessions = sessions;
    this.tokens = tokens;
  }

  void mount(Router router) {
    router
        .post("/@connections/:connectionId")
        .handler(HttpApi::tagRoute)
        .handler(keyed(this::post));
    router.get("/@connections/:connectionId").handler(HttpApi::tagRoute).handler(keyed(this::info));
    router
        .delete("/@connections/:connectionId")
        .handler(HttpApi::tagRoute)
        .handler(keyed(this::close));
    router.post("/sessions/:id/broadcast").handler(HttpApi::tagRoute).handler(this::broadcast);
    router.get("/sessions/:id/connections").handler(HttpApi::tagRoute).handler(keyed(this::list));
  }

  /**
   * Whether the request is a management call with a valid backend key: such calls are not counted
   * against the server-wide throttle for anonymous traffic. Only management paths are looked at,
   * and their key is checked here once.
   */
  boolean exempt(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path == null
        || !(path.startsWith("/@connections/")
            || (path.startsWith("/sessions/")
                && (path.endsWith("/broadcast") || path.endsWith("/connections"))))) {
      return false;
    }
    return hasKey(ctx);
  }

  private boolean hasKey(RoutingContext ctx) {
    Boolean checked = ctx.get(KEY_CHECKED);
    if (checked == null) {
      checked = keys.accepts(ctx.request().getHeader("Authorization"));
      ctx.put(KEY_CHECKED, checked);
    }
    return checked;
  }

  private ApiException unauthorized(RoutingContext ctx) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    String why;
    if (!keys.any()) {
      why = "no backend key is configured on this server (backend.keys): the management API is off";
    } else if (ctx.request().getHeader("Authorization") == null) {
      why = "a backend key is required: Authorization: Bearer <key>";
    } else {
      why = "not a valid backend key";
    }
    return new ApiException(ErrorCode.INVALID_BACKEND_KEY, why);
  }

  /** Runs {@code handler} once the backend key is checked; any failure becomes the error reply. */
  private Handler<RoutingContext> keyed(java.util.function.Function<RoutingContext, Future<?>> h) {
    return ctx -> {
      if (!hasKey(ctx)) {
        ctx.fail(unauthorized(ctx));
        return;
      }
      try {
        h.apply(ctx).onFailure(ctx::fail);
      } catch (RuntimeException e) {
        ctx.fail(e);
      }
    };
  }

  private static ApiException gone() {
    return new ApiException(ErrorCode.GONE, "the connection no longer exists");
  }

  private Future<?> post(RoutingContext ctx) {
    String text = ManagementRequests.text(ctx);
    return connections
        .post(ctx.pathParam("connectionId"), text)
        .onSuccess(
            delivered -> {
              if (!delivered) {
                ctx.fail(gone());
                return;
              }
              json(ctx, 200, DELIVERED);
            });
  }

  private Future<?> info(RoutingContext ctx) {
    return connections
        .info(ctx.pathParam("connectionId"))
        .onSuccess(
            info -> {
              if (info == null) {
                ctx.fail(gone());
                return;
              }
              ctx.response().putHeader("Cache-Control", "no-store");
              json(ctx, 200, info.toJson().encode());
            });
  }

  private Future<?> close(RoutingContext ctx) {
    return connections
        .close(ctx.pathParam("connectionId"))
        .onSuccess(
            closed -> {
              if (!closed) {
                ctx.fail(gone());
                return;
              }
              ctx.response().setStatusCode(204).end();
            });
  }

  /** With a backend key, or the token of the session's speaker. */
  private void broadcast(RoutingContext ctx) {
    Future<Session> allowed;
    try {
      ConnectionManager.Broadcast b =
          ManagementRequests.broadcast(JsonBodies.bytes(ctx), sessions.languages());
      allowed = authorizeBroadcast(ctx);
      allowed
          .compose(session -> connections.broadcast(session.id(), b))
          .onSuccess(
              d ->
                  json(
                      ctx,
                      200,
                      new JsonObject()
                          .put("delivered", d.delivered())
                          .put("dropped", d.dropped())
                          .encode()))
          .onFailure(ctx::fail);
    } catch (RuntimeException e) {
      ctx.fail(e);
    }
  }

  private Future<Session> authorizeBroadcast(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (hasKey(ctx)) {
      return sessions.find(id);
    }
    String bearer = SessionRoutes.bearer(ctx);
    // Not a token at all (tokens are JWTs, with dots): a wrong or missing backend key.
    if (bearer == null || bearer.indexOf('.') < 0) {
      return Future.failedFuture(unauthorized(ctx));
    }
    return tokens
        .verify(bearer)
        .compose(
            principal ->
                sessions
                    .find(id)
                    .map(
                        session -> {
                          if (!session.speakerUserId().equals(principal.userId())) {
                            throw new ApiException(
                                ErrorCode.NOT_SESSION_OWNER,
                                "only the session's speaker (or a backend key) may broadcast to it");
                          }
                          return session;
                        }));
  }

  private Future<?> list(RoutingContext ctx) {
    int limit = ManagementRequests.limit(ctx);
    String cursor = ManagementRequests.cursor(ctx);
    return sessions
        .find(ctx.pathParam("id"))
        .compose(session -> connections.list(session.id(), cursor, limit))
        .onSuccess(
            page -> {
              JsonArray items = new JsonArray();
              page.items().forEach(i -> items.add(i.toJson()));
              ctx.response().putHeader("Cache-Control", "no-store");
              json(
                  ctx, 200, new JsonObject().put("items", items).put("next", page.next()).encode());
            });
  }

  private static void json(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }
}
