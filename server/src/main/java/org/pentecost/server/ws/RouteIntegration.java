package org.pentecost.server.ws;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.backend.BackendCaller;
import org.pentecost.server.backend.RouteDispatcher;
import org.pentecost.server.backend.RouteEvent;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.util.Futures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections' side of the backend's route integrations ({@code backend.routes}): {@code
 * $connect} before a connection joins (it may refuse it), messages the built-in actions do not take
 * to their custom route or {@code $default} (the answer goes back to the client as it is), and one
 * {@code $disconnect} per connection the backend was told of, after it is gone. With no route
 * configured every call here does nothing and costs nothing. Nothing here runs on the audio path:
 * events are built on the connection's event loop, sent from the backend caller's own.
 */
final class RouteIntegration {
  /** How long a stopping node waits for its last {@code $disconnect}s. */
  static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private static final Duration FAILED_RETRY = Duration.ofSeconds(1);

  /** The largest {@code context} a {@code $connect} answer may give a connection (encoded). */
  static final int MAX_CONTEXT_CHARS = 8192;

  private static final Logger LOG = LoggerFactory.getLogger(RouteIntegration.class);

  /** Null when no route is configured. */
  private final RouteDispatcher dispatcher;

  private final BooleanSupplier stopping;
  private final Duration breakerOpenFor;

  RouteIntegration(RouteDispatcher dispatcher, BooleanSupplier stopping, Duration breakerOpenFor) {
    this.dispatcher = dispatcher;
    this.stopping = stopping;
    this.breakerOpenFor = breakerOpenFor;
  }

  /**
   * {@code $connect}, after admission and before the join: completes when the connection may join
   * (with the {@code context} the backend answered kept on it), fails with {@code
   * CONNECTION_REFUSED} when the backend said no (any answer but 2xx below 500) and {@code
   * INTEGRATION_FAILED} when it could not say (5xx, time-out, breaker open). Completes on the
   * connection's event loop; at once when no {@code $connect} route is configured. From here on the
   * backend knows the connection, so it owes a {@code $disconnect}.
   */
  Future<Void> connect(Connection c) {
    if (dispatcher == null || !dispatcher.has(RouteDispatcher.CONNECT)) {
      c.backendKnows.set(true);
      return Future.succeededFuture();
    }
    JsonObject event = dispatcher.events().connect(subject(c), query(c), headers(c));
    return Futures.onContext(dispatcher.send(c.id, RouteDispatcher.CONNECT, event), c.context)
        .transform(
            ar -> {
              if (ar.succeeded() && ar.result().ok()) {
                c.routeContext = context(ar.result().body());
                c.backendKnows.set(true);
                return Future.succeededFuture();
              }
              if (ar.succeeded() && ar.result().status() < 500) {
                return Future.failedFuture(
                    new ApiException(
                        ErrorCode.CONNECTION_REFUSED,
                        "the backend refused the connection (" + ar.result().status() + ")"));
              }
              return Future.failedFuture(
                  new ApiException(
                      ErrorCode.INTEGRATION_FAILED,
                      "the backend could not admit the connection: " + why(ar.cause()),
                      retryAfter(ar.cause())));
            });
  }

  /**
   * A client message no built-in action takes: to the route of its {@code action} if one is
   * configured, else to {@code $default} if configured ({@code action} is null for text that is not
   * a JSON object with a string {@code action}). Returns false when neither is configured (the
   * caller answers as before). The backend's 2xx answer goes to the client as one text message, as
   * it is (nothing for an empty body); anything else is an {@code INTEGRATION_FAILED} error, with
   * the message's {@code requestId}; past the connection's bound, {@code THROTTLED}.
   */
  boolean message(Connection c, String action, String text, Object requestId) {
    if (dispatcher == null) {
      return false;
    }
    String route =
        action != null && !action.startsWith("$") && dispatcher.has(action)
            ? action
            : dispatcher.has(RouteDispatcher.DEFAULT) ? RouteDispatcher.DEFAULT : null;
    if (route == null) {
      return false;
    }
    JsonObject event = dispatcher.events().message(subject(c), route, text);
    Futures.onContext(dispatcher.send(c.id, route, event), c.context)
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result().ok()) {
                Buffer body = ar.result().body();
                if (body.length() > 0) {
                  c.sendText(body.toString());
                }
                return;
              }
              JsonObject error =
                  ar.failed() && ar.cause() instanceof RouteDispatcher.Throttled throttled
                      ? WsMessages.error(ErrorCode.THROTTLED, throttled.getMessage(), null)
                      : WsMessages.error(
                          ErrorCode.INTEGRATION_FAILED,
                          ar.succeeded()
                              ? "the backend answered " + ar.result().status()
                              : why(ar.cause()),
                          null);
              if (requestId != null) {
                error.put("requestId", requestId);
              }
              c.send(error);
            });
    return true;
  }

  /**
   * After a connection is gone (every way it can end passes here, some twice): its {@code
   * $disconnect}, once, if the backend knew it, queued after its other events.
   */
  void left(Connection c) {
    if (dispatcher == null
        || !dispatcher.has(RouteDispatcher.DISCONNECT)
        || !c.backendKnows.compareAndSet(true, false)) {
      return;
    }
    int code;
    String reason;
    Short peer = c.socket.closeStatusCode();
    if (c.closedWith != null) {
      code = c.closedWith.code();
      reason = c.closeReason;
    } else if (stopping.getAsBoolean()) {
      code = CloseCode.GOING_AWAY.code();
      reason = "server shutting down";
    } else if (peer != null) {
      code = peer;
      reason = c.socket.closeReason();
    } else {
      code = 1006;
      reason = "connection lost";
    }
    dispatcher.disconnect(c.id, dispatcher.events().disconnect(subject(c), code, reason));
  }

  /**
   * Completes once every connection has left ({@code gone}) and its last events are out, or after
   * {@link #STOP_GRACE}.
   */
  Future<Void> settle(BooleanSupplier gone) {
    return dispatcher == null ? Future.succeededFuture() : dispatcher.settle(gone, STOP_GRACE);
  }

  private static RouteEvent.Subject subject(Connection c) {
    return new RouteEvent.Subject(
        c.id,
        c.connectedAt,
        c.clientIp.getHostAddress(),
        c.userAgent,
        c.domainName,
        c.userId,
        c.sessionId,
        c.role.wire(),
        c.language,
        c.routeContext);
  }

  private static Map<String, List<String>> query(Connection c) {
    String q = c.socket.query();
    return new QueryStringDecoder("?" + (q == null ? "" : q)).parameters();
  }

  private static List<Map.Entry<String, String>> headers(Connection c) {
    List<Map.Entry<String, String>> all = new ArrayList<>();
    if (c.socket.headers() != null) {
      for (Map.Entry<String, String> h : c.socket.headers()) {
        all.add(h);
      }
    }
    return all;
  }

  /**
   * The {@code context} object of a {@code $connect} answer; null when it has none, or one over
   * {@link #MAX_CONTEXT_CHARS} (every later event of the connection carries it, and the connection
   * holds it while it lives): that one is left out, with a warning.
   */
  private static JsonObject context(Buffer body) {
    if (body.length() == 0) {
      return null;
    }
    try {
      if (Json.decodeValue(body) instanceof JsonObject o
          && o.getValue("context") instanceof JsonObject context
          && !context.isEmpty()) {
        if (context.encode().length() <= MAX_CONTEXT_CHARS) {
          return context;
        }
        LOG.warn("a $connect answer's context over {} characters was left out", MAX_CONTEXT_CHARS);
      }
      return null;
    } catch (DecodeException e) {
      return null;
    }
  }

  private Duration retryAfter(Throwable cause) {
    return cause instanceof BackendCaller.BackendUnavailable u && u.breakerOpen()
        ? breakerOpenFor
        : FAILED_RETRY;
  }

  private static String why(Throwable cause) {
    if (cause instanceof BackendCaller.BackendUnavailable u && u.breakerOpen()) {
      return "the backend is unavailable (failing fast while its circuit breaker is open)";
    }
    if (cause instanceof BackendCaller.BackendUnavailable) {
      return cause.getMessage();
    }
    return "the backend failed";
  }
}
