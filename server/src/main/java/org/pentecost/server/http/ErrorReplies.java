package org.pentecost.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.error.ApiException;
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
      response.putHeader("Retry-After", error.retryAfterSeconds());
    }
    response.putHeader("Content-Type", "application/json").end(error.toJson().encode());
  }
}
