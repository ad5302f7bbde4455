package org.pentecost.server.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * One webhook event as it is POSTed: {@code {"id", "type", "timestamp", "sessionId", "data"}}. The
 * {@code id} (a random UUID) is the same on every retry, so that a receiver drops duplicates by it;
 * {@code timestamp} is when it happened, in epoch milliseconds. The body is encoded once and sent
 * as is to every URL, on every attempt.
 */
public record WebhookEvent(String id, String type, long timestamp, String sessionId, Buffer body) {
  public static final String SESSION_CREATED = "session.created";
  public static final String SESSION_PAUSED = "session.paused";
  public static final String SESSION_RESUMED = "session.resumed";
  public static final String SESSION_ENDED = "session.ended";
  public static final String SPEAKER_CONNECTED = "speaker.connected";
  public static final String SPEAKER_DISCONNECTED = "speaker.disconnected";
  public static final String LANGUAGE_DEMANDED = "language.demanded";
  public static final String LANGUAGE_ABANDONED = "language.abandoned";
  public static final String STREAM_STARTED = "stream.started";
  public static final String STREAM_STOPPED = "stream.stopped";

  static WebhookEvent of(String type, long timestamp, String sessionId, JsonObject data) {
    String id = UUID.randomUUID().toString();
    JsonObject json =
        new JsonObject()
            .put("id", id)
            .put("type", type)
            .put("timestamp", timestamp)
            .put("sessionId", sessionId)
            .put("data", data == null ? new JsonObject() : data);
    return new WebhookEvent(id, type, timestamp, sessionId, json.toBuffer());
  }
}
