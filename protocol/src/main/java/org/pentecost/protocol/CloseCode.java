package org.pentecost.protocol;

/**
 * WebSocket close codes the server uses. Application codes (4000–4999) follow one rule: 4000 plus
 * the HTTP status of the same condition, so {@code 4404} is "session not found" and {@code 4429}
 * "rate limited". Every close that ends in an error is preceded by an {@code error} message with
 * the {@link ErrorCode}.
 *
 * <p>{@link #reconnect()} tells a client whether reconnecting (with the same parameters, after
 * {@code retryAfterMs} when given) can succeed.
 */
public enum CloseCode {
  /** The client closed, or the server closed after a completed refresh or takeover. */
  NORMAL(1000, false),
  /** The server is shutting down or draining; reconnect (another node will take it). */
  GOING_AWAY(1001, true),
  /** The client broke WebSocket framing (unmasked frame, reserved bits or opcode, bad fragment). */
  PROTOCOL_ERROR(1002, false),
  /** A text message was not valid UTF-8. */
  INVALID_PAYLOAD(1007, false),
  /** A frame or message exceeded the size limit. */
  MESSAGE_TOO_BIG(1009, false),
  /** Unexpected server fault; reconnecting may work. */
  INTERNAL_ERROR(1011, true),
  /** No message from the client within the idle timeout. */
  IDLE_TIMEOUT(4000, true),
  /** The connection reached its maximum lifetime without refreshing. */
  MAX_DURATION(4001, true),
  /** A refresh or a newer speaker connection of the same user took this connection's place. */
  REPLACED(4002, false),
  /**
   * The client did not read what the server sent: a listener behind live audio for too long, or any
   * connection with more than {@code connections.maxQueuedBytes} waiting to be sent.
   */
  SLOW_CONSUMER(4003, true),
  /**
   * The backend closed the connection through the management API ({@code DELETE /@connections}).
   */
  CLOSED_BY_BACKEND(4004, false),
  /** Invalid connection parameters (role, language, missing session id). */
  INVALID_REQUEST(4400, false),
  /** Missing, invalid or expired token. */
  UNAUTHORIZED(4401, false),
  /** Authenticated but not allowed (not the session's owner; a refresh of another's connection). */
  FORBIDDEN(4403, false),
  /** No live session has this code. */
  SESSION_NOT_FOUND(4404, false),
  /** The session has ended. */
  SESSION_ENDED(4410, false),
  /** Too many attempts; reconnect after {@code retryAfterMs}. */
  RATE_LIMITED(4429, true),
  /** The session is at capacity; reconnect after {@code retryAfterMs}. */
  SESSION_FULL(4430, true),
  /** A dependency (the store) is unavailable; reconnect after {@code retryAfterMs}. */
  SERVICE_UNAVAILABLE(4503, true);

  private final int code;
  private final boolean reconnect;

  CloseCode(int code, boolean reconnect) {
    this.code = code;
    this.reconnect = reconnect;
  }

  public int code() {
    return code;
  }

  /** Whether a client should reconnect after this close. */
  public boolean reconnect() {
    return reconnect;
  }

  /** The close code that goes with an error code. */
  public static CloseCode forError(ErrorCode error) {
    return switch (error) {
      case MISSING_TOKEN, INVALID_TOKEN, TOKEN_EXPIRED, INVALID_BACKEND_KEY -> UNAUTHORIZED;
      case NOT_SESSION_OWNER, ACTION_NOT_ALLOWED, CONNECTION_REFUSED -> FORBIDDEN;
      case SESSION_NOT_FOUND, NOT_FOUND -> SESSION_NOT_FOUND;
      case SESSION_ENDED -> SESSION_ENDED;
      case RATE_LIMITED, THROTTLED -> RATE_LIMITED;
      case SESSION_FULL -> SESSION_FULL;
      case SERVICE_UNAVAILABLE, INTEGRATION_FAILED -> SERVICE_UNAVAILABLE;
      case MESSAGE_TOO_LARGE, PAYLOAD_TOO_LARGE -> MESSAGE_TOO_BIG;
      case INTERNAL_ERROR -> INTERNAL_ERROR;
      default -> INVALID_REQUEST;
    };
  }
}
