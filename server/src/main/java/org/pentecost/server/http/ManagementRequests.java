package org.pentecost.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.backend.ConnectionManager.Broadcast;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.session.Languages;
import org.pentecost.server.util.InputExcerpt;

/** Strict reading of the management API's requests: a message body, a broadcast, a page. */
final class ManagementRequests {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  private static final Set<String> BROADCAST_FIELDS = Set.of("message", "language", "roles");
  private static final Set<String> ROLES = Set.of("listener", "speaker", "worker");

  private ManagementRequests() {}

  /**
   * The body of {@code POST /@connections/{id}} as the text message it becomes: any non-empty valid
   * UTF-8 (its size is already bounded by {@code server.maxBodyBytes}).
   */
  static String text(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw new ApiException(
          ErrorCode.INVALID_REQUEST, "the body is the message to send; it is empty");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body.getBytes()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ApiException(
          ErrorCode.INVALID_REQUEST,
          "the body must be UTF-8 text: it becomes one WebSocket text message");
    }
  }

  /**
   * {@code {"message": object|string, "language"?: code, "roles"?: [role...]}}: an object is sent
   * as its JSON text, a string as it is.
   */
  static Broadcast broadcast(byte[] body, Languages languages) {
    ObjectNode o = JsonBodies.object(body, BROADCAST_FIELDS);
    JsonNode message = o.get("message");
    String text;
    if (message != null && message.isObject()) {
      text = message.toString();
    } else if (message != null && message.isTextual()) {
      text = message.textValue();
    } else {
      throw new ApiException(
          ErrorCode.INVALID_REQUEST, "'message' is required: a JSON object or a string");
    }
    String language = JsonBodies.string(o, "language");
    if (language != null) {
      String canonical = languages.canonical(language);
      if (canonical == null) {
        throw new ApiException(
            ErrorCode.UNSUPPORTED_LANGUAGE,
            "unsupported language '"
                + InputExcerpt.of(language)
                + "'; supported: "
                + String.join(", ", languages.codes()));
      }
      language = canonical;
    }
    return new Broadcast(text, language, roles(o.get("roles")));
  }

  private static Set<String> roles(JsonNode node) {
    if (node == null) {
      return Set.of();
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new ApiException(
          ErrorCode.INVALID_REQUEST,
          "'roles' must be a non-empty array of listener, speaker, worker");
    }
    Set<String> roles = new HashSet<>();
    for (JsonNode r : node) {
      if (!r.isTextual() || !ROLES.contains(r.textValue())) {
        throw new ApiException(
            ErrorCode.INVALID_REQUEST,
            "unknown role '"
                + InputExcerpt.of(r.toString())
                + "'; roles: listener, speaker, worker");
      }
      roles.add(r.textValue());
    }
    return roles;
  }

  /** {@code ?limit=}: 1 to {@value #MAX_LIMIT}, {@value #DEFAULT_LIMIT} when absent. */
  static int limit(RoutingContext ctx) {
    String text = ctx.request().getParam("limit");
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(text);
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ApiException(
        ErrorCode.INVALID_REQUEST, "limit must be a whole number from 1 to " + MAX_LIMIT);
  }

  /** {@code ?cursor=}: the last connection id of the previous page; null for the first page. */
  static String cursor(RoutingContext ctx) {
    String cursor = ctx.request().getParam("cursor");
    return cursor == null || cursor.isEmpty() ? null : cursor;
  }
}
