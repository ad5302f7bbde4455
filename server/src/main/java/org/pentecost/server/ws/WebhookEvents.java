package org.pentecost.server.ws;

import io.vertx.core.json.JsonObject;
import org.pentecost.server.backend.WebhookEvent;
import org.pentecost.server.backend.Webhooks;

/**
 * What the WebSocket edge reports as webhooks, from the node that holds the connection concerned:
 * the speaker connected or disconnected, a stream started or stopped. A refresh or takeover (of the
 * speaker or of a stream's publisher, on this node or from another) is neither a disconnect nor a
 * connect, nor a stop and start. Reporting only queues: never on the audio path, never waiting.
 */
final class WebhookEvents {
  private final Webhooks webhooks;

  WebhookEvents(Webhooks webhooks) {
    this.webhooks = webhooks;
  }

  void speakerConnected(Connection c) {
    if (webhooks.enabled()) {
      webhooks.emit(
          WebhookEvent.SPEAKER_CONNECTED,
          c.sessionId,
          new JsonObject().put("connectionId", c.id).put("language", c.language));
    }
  }

  /** The speaker dropped; the session ends unless it comes back within {@code graceMs}. */
  void speakerDisconnected(Connection c, long graceMs) {
    if (webhooks.enabled()) {
      webhooks.emit(
          WebhookEvent.SPEAKER_DISCONNECTED,
          c.sessionId,
          new JsonObject().put("connectionId", c.id).put("gracePeriodMs", graceMs));
    }
  }

  /** {@code c} publishes a stream that was not live, or live in another format. */
  void streamStarted(String sessionId, Connection c) {
    if (webhooks.enabled()) {
      webhooks.emit(
          WebhookEvent.STREAM_STARTED, sessionId, stream(c).put("format", c.format.toJson()));
    }
  }

  /** {@code c} stopped publishing, and nobody publishes its language any more. */
  void streamStopped(String sessionId, Connection c) {
    if (webhooks.enabled()) {
      webhooks.emit(WebhookEvent.STREAM_STOPPED, sessionId, stream(c));
    }
  }

  private static JsonObject stream(Connection c) {
    return new JsonObject()
        .put("language", c.language)
        .put("role", c.role.wire())
        .put("connectionId", c.id);
  }
}
