package org.pentecost.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP error replies: {@code {"error": message, "code": CODE,
 * "timestamp": epochMillis}} with the code's status, and {@code Retry-After} when there is a hint.
 * Unexpected exceptions are logged with the correlation id and answered 500 without internals.
 */
final class ErrorReplies {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorReplies.class);

  private ErrorReplies() {}

  static void handleFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    ApiException error;
    if (failure instanceof ApiException api) {
      error = api;
    } else if (failure instanceof HttpException http) {
      error = fromStatus(http.getStatusCode());
    } else if (failure == null) {
      error = fromStatus(ctx.statusCode());
    } else {
      LOG.error(
          "unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), failure);
      error =
          new ApiException(ErrorCode.INTERNAL_ERROR, "internal error; quote the correlation id");
    }
    send(ctx, error);
  }

  static ApiException fromStatus(int status) {
    return switch (status) {
      case 400 -> new ApiException(ErrorCode.INVALID_REQUEST, "bad request");
      case 404 -> new ApiException(ErrorCode.NOT_FOUND, "no such resource");
      case 405 -> new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed here");
      case 413 -> new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body too large");
      case 503 -> new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "service unavailable");
      default ->
          status >= 400 && status < 500
              ? new ApiException(
                  ErrorCode.INVALID_REQUEST, HttpResponseStatus.valueOf(status).reasonPhrase())
              : new ApiException(
                  ErrorCode.INTERNAL_ERROR, "internal error; quote the correlation id");
    };
  }

  static void send(RoutingContext ctx, ApiException error) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response.setStatusCode(error.code().httpStatus());
    if (error.retryAfter() != null) {
      long seconds = Math.max(1, (error.retryAfter().toMillis() + 999) / 1000);
      response.putHeader("Retry-After", Long.toString(seconds));
    }
    response.putHeader("Content-Type", "application/json").end(body(error));
  }

  /** The error body: {@code {"error": message, "code": CODE, "timestamp": epochMillis}}. */
  static String body(ApiException error) {
    return new JsonObject()
        .put("error", error.getMessage())
        .put("code", error.code().name())
        .put("timestamp", System.currentTimeMillis())
        .encode();
  }

  /**
   * A request the HTTP decoder could not read (a request line over {@code maxInitialLineLength},
   * headers over {@code maxHeaderSize}, bytes that are not HTTP) never reaches a router: this
   * answers it like any other error, 400 INVALID_REQUEST with the JSON body, then closes the
   * connection, as Vert.x's own handler does (which answers with an empty body).
   */
  static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    String message =
        cause instanceof TooLongHttpLineException
            ? "the request line is too long"
            : cause instanceof TooLongHttpHeaderException
                ? "the request headers are too large"
                : "the request is not valid HTTP";
    ApiException error = new ApiException(ErrorCode.INVALID_REQUEST, message);
    request
        .response()
        .setStatusCode(error.code().httpStatus())
        .putHeader("Content-Type", "application/json")
        .putHeader("Connection", "close")
        .end(body(error));
    request.connection().close();
  }
}
