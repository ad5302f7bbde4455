package org.pentecost.server.session;

import io.vertx.core.json.JsonObject;
import org.pentecost.server.backend.WebhookEvent;
import org.pentecost.server.backend.Webhooks;

/**
 * The session events this node reports as webhooks, each from the node where it happened: {@code
 * session.created} (where the create succeeded), {@code session.paused}, {@code resumed} and {@code
 * ended} (where the change was written; other nodes only apply it), and {@code language.demanded} /
 * {@code abandoned} (where the count change that made them was applied).
 */
final class SessionWebhooks implements ListenerCountStore.DemandListener {
  private final Webhooks webhooks;

  SessionWebhooks(Webhooks webhooks) {
    this.webhooks = webhooks;
  }

  boolean enabled() {
    return webhooks.enabled();
  }

  void created(Session s) {
    if (webhooks.enabled()) {
      webhooks.emit(WebhookEvent.SESSION_CREATED, s.id(), describe(s));
    }
  }

  /** {@code reason}: why it ended ({@code ended}, {@code speakerGone}); null for pause, resume. */
  void statusChanged(Session s, String reason) {
    if (!webhooks.enabled()) {
      return;
    }
    String type =
        switch (s.status()) {
          case ACTIVE -> WebhookEvent.SESSION_RESUMED;
          case PAUSED -> WebhookEvent.SESSION_PAUSED;
          case ENDED -> WebhookEvent.SESSION_ENDED;
        };
    JsonObject data = describe(s);
    if (reason != null && s.status() == SessionStatus.ENDED) {
      data.put("reason", reason);
    }
    webhooks.emit(type, s.id(), data);
  }

  /** A session that expired without having ended, reported by the node that purged it. */
  void expired(String sessionId) {
    if (webhooks.enabled()) {
      webhooks.emit(
          WebhookEvent.SESSION_ENDED,
          sessionId,
          new JsonObject().put("status", SessionStatus.ENDED.wireName()).put("reason", "expired"));
    }
  }

  @Override
  public void changed(String sessionId, String language, boolean demanded) {
    if (webhooks.enabled()) {
      webhooks.emit(
          demanded ? WebhookEvent.LANGUAGE_DEMANDED : WebhookEvent.LANGUAGE_ABANDONED,
          sessionId,
          new JsonObject().put("language", language));
    }
  }

  private static JsonObject describe(Session s) {
    return new JsonObject()
        .put("status", s.status().wireName())
        .put("speakerUserId", s.speakerUserId())
        .put("sourceLanguage", s.sourceLanguage())
        .put("qualityTier", s.qualityTier().wireName())
        .put("expiresAt", s.expiresAt());
  }
}
