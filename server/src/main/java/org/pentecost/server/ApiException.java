package org.pentecost.server;

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

  /** How long to wait before retrying, for 429 and 503; null when there is no hint. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
