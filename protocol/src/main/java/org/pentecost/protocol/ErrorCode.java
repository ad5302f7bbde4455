package org.pentecost.protocol;

/**
 * Stable machine-readable error codes, shared by the HTTP API and the WebSocket protocol.
 *
 * <p>A code never changes meaning once published; clients switch on {@link #name()}. Each code
 * carries the HTTP status it is answered with, so that a WebSocket {@code error} message and an
 * HTTP error body for the same condition agree.
 */
public enum ErrorCode {
  /** The request body or a parameter is malformed or fails validation. */
  INVALID_REQUEST(400),
  /** The request body is not valid JSON, or not a JSON object. */
  MALFORMED_JSON(400),
  /** A language code is not in the server's supported list. */
  UNSUPPORTED_LANGUAGE(400),
  /** The quality tier is neither {@code standard} nor {@code premium}. */
  INVALID_QUALITY_TIER(400),
  /** No bearer token was presented where one is required. */
  MISSING_TOKEN(401),
  /** The token failed verification (signature, algorithm, issuer, audience, subject). */
  INVALID_TOKEN(401),
  /** The token's {@code exp} lies in the past (beyond the clock-skew leeway). */
  TOKEN_EXPIRED(401),
  /** The management API was called without a valid backend key. */
  INVALID_BACKEND_KEY(401),
  /**
   * The backend's {@code $connect} route refused the connection (it answered with a 4xx status).
   */
  CONNECTION_REFUSED(403),
  /** The caller is authenticated but does not own the session. */
  NOT_SESSION_OWNER(403),
  /** No live session has this id. */
  SESSION_NOT_FOUND(404),
  /** No route matches the request path. */
  NOT_FOUND(404),
  /** The HTTP method is not allowed on this path. */
  METHOD_NOT_ALLOWED(405),
  /**
   * The request did not arrive whole within {@code server.requestTimeout}; the connection closes.
   */
  REQUEST_TIMEOUT(408),
  /** The requested status change is not a valid transition (e.g. anything from ended). */
  INVALID_TRANSITION(409),
  /** A concurrent change won; re-read and retry. */
  CONFLICT(409),
  /** The management API named a connection that no longer exists (API Gateway's GoneException). */
  GONE(410),
  /** The session has ended; it can be read but not joined or changed. */
  SESSION_ENDED(410),
  /** The request body exceeds the configured limit. */
  PAYLOAD_TOO_LARGE(413),
  /** The request line (method, path and query) is longer than the server reads. */
  URI_TOO_LONG(414),
  /** The request headers are larger than the server reads. */
  HEADERS_TOO_LARGE(431),
  /** The session has reached its listener capacity; retry after the hinted delay. */
  SESSION_FULL(503),
  /** A WebSocket message named an action this server does not route. */
  UNKNOWN_ACTION(400),
  /** The action is not allowed for this connection's role (e.g. switchLanguage by a speaker). */
  ACTION_NOT_ALLOWED(403),
  /** A WebSocket frame or message exceeded the configured size limit. */
  MESSAGE_TOO_LARGE(413),
  /** A rate limit was hit; retry after the hinted delay. */
  RATE_LIMITED(429),
  /** The server-wide request throttle was hit; retry after the hinted delay. */
  THROTTLED(429),
  /**
   * The backend behind a route failed, timed out, or is failing fast while its circuit breaker is
   * open; the connection stays open (on {@code $connect} it is refused).
   */
  INTEGRATION_FAILED(502),
  /** Unexpected server fault; the correlation id identifies it in the logs. */
  INTERNAL_ERROR(500),
  /** A dependency (the store) is unavailable; retry later. */
  SERVICE_UNAVAILABLE(503);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  /** The HTTP status this code is answered with. */
  public int httpStatus() {
    return httpStatus;
  }
}
