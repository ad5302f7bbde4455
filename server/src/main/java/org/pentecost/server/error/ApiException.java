package org.pentecost.server.error;

import java.time.Duration;
import org.pentecost.protocol.ErrorCode;

/**
 * The one exception type that becomes an error reply: on HTTP a JSON body {@code {"error", "code",
 * "timestamp"}} with {@link ErrorCode#httpStatus()}, on a WebSocket an {@code error} message. The
 * message is shown to users: it never contains a token or a secret.
 */
public final class ApiException extends RuntimeException {
  private final ErrorCode code;
  private final Duration retryAfter;

  public ApiException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ApiException(ErrorCode code, String message, Duration retryAfter) {
    super(message, null, false, false);
    this.code = code;
    this.retryAfter = retryAfter;
  }

  public ErrorCode code() {
    return code;
  }

  /** The HTTP error body: {@code {"error": message, "code": CODE, "timestamp": epochMillis}}. */
  public io.vertx.core.json.JsonObject toJson() {
    return new io.vertx.core.json.JsonObject()
        .put("error", getMessage())
        .put("code", code.name())
        .put("timestamp", System.currentTimeMillis());
  }

  /** {@code Retry-After} in whole seconds (at least 1), or null when there is no hint. */
  public String retryAfterSeconds() {
    return retryAfter == null
        ? null
        : Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000));
  }

  /** How long to wait before retrying, for 429 and 503; null when there is no hint. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
