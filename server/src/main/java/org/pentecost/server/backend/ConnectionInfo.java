package org.pentecost.server.backend;

import io.vertx.core.json.JsonObject;

/**
 * One connection as the management API describes it ({@code GET /@connections/{id}}, {@code GET
 * /sessions/{id}/connections}). {@link #toJson} is the reply's shape, and also how one node tells
 * another.
 *
 * @param connectedAt epoch ms
 * @param lastActiveAt epoch ms of the last thing the client sent
 * @param role {@code listener}, {@code speaker} or {@code worker}
 * @param targetLanguage what a listener hears or a worker publishes; a speaker's source language
 * @param node the id of the node that holds the connection
 * @param queuedBytes what waits to be sent to the client
 */
public record ConnectionInfo(
    String connectionId,
    long connectedAt,
    long lastActiveAt,
    String sourceIp,
    String userAgent,
    String sessionId,
    String role,
    String targetLanguage,
    String node,
    long queuedBytes) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("connectionId", connectionId)
        .put("connectedAt", connectedAt)
        .put("lastActiveAt", lastActiveAt)
        .put("identity", new JsonObject().put("sourceIp", sourceIp).put("userAgent", userAgent))
        .put("sessionId", sessionId)
        .put("role", role)
        .put("targetLanguage", targetLanguage)
        .put("node", node)
        .put("queuedBytes", queuedBytes);
  }

  /** The inverse of {@link #toJson}; throws on anything else. */
  public static ConnectionInfo fromJson(JsonObject j) {
    JsonObject identity = j.getJsonObject("identity");
    return new ConnectionInfo(
        require(j.getString("connectionId"), "connectionId"),
        j.getLong("connectedAt"),
        j.getLong("lastActiveAt"),
        identity.getString("sourceIp"),
        identity.getString("userAgent"),
        require(j.getString("sessionId"), "sessionId"),
        require(j.getString("role"), "role"),
        j.getString("targetLanguage"),
        j.getString("node"),
        j.getLong("queuedBytes"));
  }

  private static String require(String value, String name) {
    if (value == null) {
      throw new IllegalArgumentException("'" + name + "' is missing");
    }
    return value;
  }
}
