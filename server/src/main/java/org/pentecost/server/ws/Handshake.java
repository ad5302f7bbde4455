package org.pentecost.server.ws;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Base64;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.protocol.Messages;
import org.pentecost.server.error.ApiException;

/**
 * The checks of a WebSocket opening handshake (RFC 6455 section 4.2.1) before the upgrade, each
 * refusal answered with the JSON error body: 404 off {@code /ws}, 503 while the node drains, 405
 * for a method other than GET, 400 for a missing {@code Connection: Upgrade} or a {@code
 * Sec-WebSocket-Key} that is not 16 bytes in base64, 426 (with {@code Sec-WebSocket-Version: 13})
 * for any version but 13.
 */
final class Handshake {
  private Handshake() {}

  /** Whether {@code request} asks to become a WebSocket. */
  static boolean isUpgrade(HttpServerRequest request) {
    String upgrade = request.getHeader("Upgrade");
    return upgrade != null && upgrade.trim().equalsIgnoreCase("websocket");
  }

  /** Whether the upgrade may go ahead; if not, the request has been answered. */
  static boolean check(HttpServerRequest request, boolean draining) {
    if (!Messages.PATH.equals(request.path())) {
      return refuse(request, 404, new ApiException(ErrorCode.NOT_FOUND, "no such resource"));
    }
    if (draining) {
      return refuse(
          request,
          503,
          new ApiException(
              ErrorCode.SERVICE_UNAVAILABLE,
              "this node is draining; connect again",
              java.time.Duration.ofSeconds(1)));
    }
    if (request.method() != HttpMethod.GET) {
      return refuse(
          request,
          405,
          new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "a WebSocket opens with GET"));
    }
    String connection = request.getHeader("Connection");
    if (connection == null || !connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade")) {
      return refuse(
          request,
          400,
          new ApiException(ErrorCode.INVALID_REQUEST, "a WebSocket needs 'Connection: Upgrade'"));
    }
    if (!"13".equals(trimmed(request.getHeader("Sec-WebSocket-Version")))) {
      request.response().putHeader("Sec-WebSocket-Version", "13");
      return refuse(
          request,
          426,
          new ApiException(ErrorCode.INVALID_REQUEST, "only WebSocket version 13 is supported"));
    }
    if (!validKey(trimmed(request.getHeader("Sec-WebSocket-Key")))) {
      return refuse(
          request,
          400,
          new ApiException(
              ErrorCode.INVALID_REQUEST, "Sec-WebSocket-Key must be 16 bytes in base64"));
    }
    return true;
  }

  private static String trimmed(String header) {
    return header == null ? null : header.trim();
  }

  /** A key is 16 random bytes in base64: 24 characters ending in "==". */
  static boolean validKey(String key) {
    if (key == null || key.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean refuse(HttpServerRequest request, int status, ApiException error) {
    HttpServerResponse response = request.response();
    response.setStatusCode(status).putHeader("Content-Type", "application/json");
    if (error.retryAfter() != null) {
      response.putHeader("Retry-After", error.retryAfterSeconds());
    }
    response.end(error.toJson().encode());
    return false;
  }
}
