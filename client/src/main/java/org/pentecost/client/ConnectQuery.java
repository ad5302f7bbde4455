package org.pentecost.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pentecost.protocol.Messages;

/**
 * The upgrade request's path and query: the role's parameters, then any extra ones (codec, frameMs,
 * fallback...), then, for a refresh or a reconnect, {@code action=refreshConnection}, {@code
 * previousConnectionId} and (listeners) {@code lastSeq}.
 *
 * @param path the endpoint path, e.g. {@code /ws}
 * @param targetLanguage the listener's or worker's language; null for the session's source
 * @param token the speaker's or worker's JWT; null for listeners
 * @param extra further parameters, in order
 */
record ConnectQuery(
    String path,
    String role,
    String sessionId,
    String targetLanguage,
    String token,
    Map<String, String> extra) {

  ConnectQuery {
    extra = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
  }

  /** {@code /ws} under the base URI's path ({@code http://h/app/} gives {@code /app/ws}). */
  static String endpointPath(String basePath) {
    String p = basePath == null ? "" : basePath;
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p + Messages.PATH;
  }

  ConnectQuery withTargetLanguage(String language) {
    return new ConnectQuery(path, role, sessionId, language, token, extra);
  }

  /** The first connection's request URI. */
  String uri() {
    return uri(null, 0);
  }

  /**
   * The request URI; with a {@code previousConnectionId} it asks to take that connection's place,
   * and a positive {@code lastSeq} (listeners only) asks to resume audio after it.
   */
  String uri(String previousConnectionId, long lastSeq) {
    StringBuilder b = new StringBuilder(path).append('?');
    add(b, Messages.Q_SESSION_ID, sessionId);
    add(b, Messages.Q_ROLE, role);
    add(b, Messages.Q_TARGET_LANGUAGE, targetLanguage);
    add(b, Messages.Q_TOKEN, token);
    extra.forEach((k, v) -> add(b, k, v));
    if (previousConnectionId != null) {
      add(b, Messages.Q_ACTION, Messages.REFRESH_CONNECTION);
      add(b, Messages.Q_PREVIOUS_CONNECTION_ID, previousConnectionId);
      if (lastSeq > 0 && Messages.ROLE_LISTENER.equals(role)) {
        add(b, Messages.Q_LAST_SEQ, Long.toString(lastSeq));
      }
    }
    b.setLength(b.length() - 1);
    return b.toString();
  }

  private static void add(StringBuilder b, String name, String value) {
    if (value != null) {
      b.append(enc(name)).append('=').append(enc(value)).append('&');
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
