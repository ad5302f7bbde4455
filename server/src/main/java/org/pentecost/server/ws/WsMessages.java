package org.pentecost.server.ws;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.protocol.Messages;

/** Builders of server messages, each a JSON object with a {@code type}. */
final class WsMessages {
  private WsMessages() {}

  static JsonObject of(String type) {
    return new JsonObject().put("type", type).put("timestamp", System.currentTimeMillis());
  }

  /** Longest error text sent; a backstop behind the excerpts of input that messages quote. */
  private static final int MAX_MESSAGE_CHARS = 300;

  static JsonObject error(ErrorCode code, String message, Long retryAfterMs) {
    String text =
        message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS);
    JsonObject m = of(Messages.ERROR).put("code", code.name()).put("message", text);
    if (retryAfterMs != null) {
      m.put("retryAfterMs", retryAfterMs);
    }
    return m;
  }

  static JsonObject counts(JsonObject m, Map<String, Integer> byLanguage) {
    int total = byLanguage.values().stream().mapToInt(Integer::intValue).sum();
    return m.put("listenerCount", total)
        .put("listenersByLanguage", new JsonObject(Map.copyOf(byLanguage)));
  }
}
