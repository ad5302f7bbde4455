package org.pentecost.client;

import io.vertx.core.json.JsonObject;

/**
 * {@link PentecostClient#connect()} failed because the server refused the connection: it sent an
 * {@code error} (when it did) and closed, or closed before {@code sessionJoined}.
 */
public final class ConnectionRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int closeCode;
  private final String errorCode;
  private final Long retryAfterMs;

  ConnectionRejectedException(int closeCode, String closeReason, JsonObject error) {
    super(message(closeCode, closeReason, error));
    this.closeCode = closeCode;
    this.errorCode = error == null ? null : error.getString("code");
    this.retryAfterMs = error == null ? null : error.getLong("retryAfterMs");
  }

  private static String message(int closeCode, String closeReason, JsonObject error) {
    StringBuilder b = new StringBuilder("connection refused: close ").append(closeCode);
    if (closeReason != null && !closeReason.isEmpty()) {
      b.append(" (").append(closeReason).append(')');
    }
    if (error != null) {
      b.append(", ")
          .append(error.getString("code"))
          .append(": ")
          .append(error.getString("message"));
    }
    return b.toString();
  }

  /** The WebSocket close code, e.g. 4404 (see {@link org.pentecost.protocol.CloseCode}). */
  public int closeCode() {
    return closeCode;
  }

  /** The {@code code} of the server's {@code error} message, e.g. {@code SESSION_FULL}, or null. */
  public String errorCode() {
    return errorCode;
  }

  /** The server's {@code retryAfterMs}, or null when waiting would not help or was not said. */
  public Long retryAfterMs() {
    return retryAfterMs;
  }
}
