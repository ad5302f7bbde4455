package org.pentecost.server.backend;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The event Pentecost POSTs to a route, in the shape of API Gateway's WebSocket proxy event: a
 * {@code requestContext} (route key, event type, connection, request and message ids, times,
 * identity, authorizer) and the client's {@code body} as it was sent. {@code $connect} events also
 * carry the handshake's {@code queryStringParameters} and {@code headers}, with the credentials
 * (the {@code token} parameter, the {@code Authorization} header) redacted: who the client is, is
 * in {@code authorizer}.
 */
public final class RouteEvent {
  /** What a redacted credential reads as in a {@code $connect} event. */
  public static final String REDACTED = "[redacted]";

  private static final DateTimeFormatter REQUEST_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** API Gateway's event types. */
  public enum Type {
    CONNECT,
    MESSAGE,
    DISCONNECT
  }

  /**
   * What an event says of its connection: fixed at admission, its language as it is now, and the
   * {@code context} its {@code $connect} answered with (null for none).
   *
   * @param principalId the speaker's or worker's user id; null for an anonymous listener
   * @param targetLanguage the language the connection hears (listener) or publishes (speaker: the
   *     source language; worker: its language)
   */
  public record Subject(
      String connectionId,
      long connectedAt,
      String sourceIp,
      String userAgent,
      String domainName,
      String principalId,
      String sessionId,
      String role,
      String targetLanguage,
      JsonObject context) {}

  private final String apiId;
  private final String stage;

  /**
   * @param apiId the node's id ({@code requestContext.apiId})
   * @param stage the configuration profile ({@code requestContext.stage})
   */
  public RouteEvent(String apiId, String stage) {
    this.apiId = apiId;
    this.stage = stage;
  }

  /**
   * A {@code $connect} event: {@code query} is the handshake's query (first value of each
   * parameter), {@code headers} its headers (several values of one name joined with a comma).
   */
  public JsonObject connect(
      Subject s, Map<String, List<String>> query, List<Map.Entry<String, String>> headers) {
    JsonObject params = new JsonObject();
    query.forEach(
        (name, values) -> {
          if (!values.isEmpty()) {
            params.put(name, name.equals("token") ? REDACTED : values.get(0));
          }
        });
    JsonObject head = new JsonObject();
    for (Map.Entry<String, String> h : headers) {
      String value = h.getKey().equalsIgnoreCase("Authorization") ? REDACTED : h.getValue();
      String before = head.getString(h.getKey());
      head.put(h.getKey(), before == null || value.equals(REDACTED) ? value : before + "," + value);
    }
    return event(s, "$connect", Type.CONNECT, null)
        .put("queryStringParameters", params)
        .put("headers", head);
  }

  /** A message event: {@code body} is the client's text as it was sent. */
  public JsonObject message(Subject s, String routeKey, String body) {
    JsonObject event = event(s, routeKey, Type.MESSAGE, body);
    event.getJsonObject("requestContext").put("messageId", id());
    return event;
  }

  /** A {@code $disconnect} event: the close's status code and its reason. */
  public JsonObject disconnect(Subject s, int statusCode, String reason) {
    JsonObject event = event(s, "$disconnect", Type.DISCONNECT, null);
    event
        .getJsonObject("requestContext")
        .put("disconnectStatusCode", statusCode)
        .put("disconnectReason", reason == null ? "" : reason);
    return event;
  }

  private JsonObject event(Subject s, String routeKey, Type type, String body) {
    long now = System.currentTimeMillis();
    JsonObject authorizer = s.context() == null ? new JsonObject() : s.context().copy();
    // Pentecost's own fields win over a $connect context of the same name.
    authorizer
        .put("principalId", s.principalId())
        .put("sessionId", s.sessionId())
        .put("role", s.role())
        .put("targetLanguage", s.targetLanguage());
    JsonObject context =
        new JsonObject()
            .put("routeKey", routeKey)
            .put("eventType", type.name())
            .put("messageDirection", "IN")
            .put("connectionId", s.connectionId())
            .put("requestId", id())
            .put("connectedAt", s.connectedAt())
            .put("requestTime", REQUEST_TIME.format(Instant.ofEpochMilli(now)))
            .put("requestTimeEpoch", now)
            .put("domainName", s.domainName())
            .put("stage", stage)
            .put("apiId", apiId)
            .put(
                "identity",
                new JsonObject().put("sourceIp", s.sourceIp()).put("userAgent", s.userAgent()))
            .put("authorizer", authorizer);
    return new JsonObject()
        .put("requestContext", context)
        .put("body", body)
        .put("isBase64Encoded", false);
  }

  /** A unique id (96 random bits, URL-safe base64): request and message ids. */
  private static String id() {
    byte[] bytes = new byte[12];
    ThreadLocalRandom.current().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
