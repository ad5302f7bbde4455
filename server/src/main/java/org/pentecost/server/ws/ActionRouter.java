package org.pentecost.server.ws;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.protocol.Messages;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.session.ListenerCountStore;
import org.pentecost.server.session.SessionService;
import org.pentecost.server.session.Transcripts;
import org.pentecost.server.util.InputExcerpt;

/**
 * Routes a connection's JSON text messages by their {@code action} (the seeds' route selection
 * expression {@code $request.body.action}). Built-in actions come first; then the backend's route
 * for the action, else its {@code $default} route (also for text that is not a JSON object), when
 * configured ({@link RouteIntegration}); anything else is an {@code error} with {@code
 * UNKNOWN_ACTION} (or {@code MALFORMED_JSON}). A bad message is answered with an error; it never
 * closes the connection or disturbs its state. A {@code requestId} in a message is echoed in the
 * reply.
 */
final class ActionRouter {
  private static final Duration HEARTBEAT_RETRY = Duration.ofSeconds(30);
  private static final int MAX_CAPTION_CHARS = 2000;

  /** A requestId is echoed in the reply, so its size is bounded. */
  static final int MAX_REQUEST_ID_CHARS = 128;

  private final SessionService sessions;
  private final ListenerCountStore counts;
  private final JoinLimiter limiter;
  private final ConnectionRegistry registry;
  private final AudioRouting audio;

  private final OutboundEvents outbound;

  /** The backend's custom routes and {@code $default}, after the built-in actions. */
  private final RouteIntegration routes;

  /** Where final captions are kept. */
  private final Transcripts transcripts;

  ActionRouter(
      SessionService sessions,
      ListenerCountStore counts,
      JoinLimiter limiter,
      ConnectionRegistry registry,
      AudioRouting audio,
      OutboundEvents outbound,
      RouteIntegration routes,
      Transcripts transcripts) {
    this.routes = routes;
    this.transcripts = transcripts;
    this.sessions = sessions;
    this.counts = counts;
    this.limiter = limiter;
    this.registry = registry;
    this.audio = audio;
    this.outbound = outbound;
  }

  void route(Connection c, String text) {
    JsonObject message;
    try {
      Object decoded = Json.decodeValue(text);
      if (!(decoded instanceof JsonObject object)) {
        if (!routes.message(c, null, text, null)) {
          reply(c, null, error(ErrorCode.MALFORMED_JSON, "a message must be a JSON object"));
        }
        return;
      }
      message = object;
    } catch (DecodeException e) {
      if (!routes.message(c, null, text, null)) {
        reply(c, null, error(ErrorCode.MALFORMED_JSON, "a message must be valid JSON"));
      }
      return;
    }
    Object requestId = message.getValue("requestId");
    if (requestId != null
        && !(requestId instanceof Number)
        && !(requestId instanceof String id && id.length() <= MAX_REQUEST_ID_CHARS)) {
      reply(
          c,
          null,
          error(
              ErrorCode.INVALID_REQUEST,
              "'requestId' must be a number or a string of at most "
                  + MAX_REQUEST_ID_CHARS
                  + " characters"));
      return;
    }
    Object action = message.getValue("action");
    if (action != null && !(action instanceof String)) {
      if (!routes.message(c, null, text, requestId)) {
        reply(c, requestId, error(ErrorCode.INVALID_REQUEST, "'action' must be a string"));
      }
      return;
    }
    try {
      switch (action == null ? "$default" : (String) action) {
        case Messages.HEARTBEAT -> heartbeat(c, requestId);
        case Messages.SWITCH_LANGUAGE -> switchLanguage(c, message, requestId);
        case Messages.GET_SESSION_STATUS -> sessionStatus(c, requestId);
        case Messages.PUBLISH_CAPTION -> caption(c, message);
        case Messages.REFRESH_CONNECTION ->
            reply(
                c,
                requestId,
                LifecycleTimers.refreshRequired(c, -1)
                    .put(
                        "message",
                        "open a new connection with the same parameters plus the refreshQuery, then close this one"));
        default -> {
          if (!routes.message(c, (String) action, text, requestId)) {
            reply(
                c,
                requestId,
                error(
                    ErrorCode.UNKNOWN_ACTION,
                    "unknown action '"
                        + InputExcerpt.of(action == null ? "" : (String) action)
                        + "'"));
          }
        }
      }
    } catch (ApiException e) {
      reply(c, requestId, error(e.code(), e.getMessage()));
    }
  }

  private void heartbeat(Connection c, Object requestId) {
    if (!limiter.heartbeat(c.id)) {
      reply(
          c,
          requestId,
          WsMessages.error(
              ErrorCode.RATE_LIMITED, "heartbeats are sent too often", HEARTBEAT_RETRY.toMillis()));
      return;
    }
    reply(
        c,
        requestId,
        WsMessages.of(Messages.HEARTBEAT_ACK)
            .put("connectionId", c.id)
            .put("connectedForMs", System.currentTimeMillis() - c.connectedAt));
  }

  private void switchLanguage(Connection c, JsonObject message, Object requestId) {
    if (c.role != Role.LISTENER) {
      throw new ApiException(ErrorCode.ACTION_NOT_ALLOWED, "only listeners switch language");
    }
    Object wanted = message.getValue("targetLanguage");
    if (!(wanted instanceof String text)) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "'targetLanguage' must be a string");
    }
    String to = sessions.languages().canonical(text);
    if (to == null) {
      throw new ApiException(
          ErrorCode.UNSUPPORTED_LANGUAGE,
          "unsupported targetLanguage '" + InputExcerpt.of(text) + "'");
    }
    String from = c.language;
    SessionRoom room = registry.room(c.sessionId);
    if (!to.equals(from)) {
      // Room and count are changed in the same turn of the connection's event loop, before a
      // close of this connection can run its clean-up with the new language.
      if (room != null) {
        room.moveListener(c, to);
        room.statsDirty = true;
      }
      if (c.counted.get()) {
        counts.move(c.sessionId, from, to);
      }
      if (room != null) {
        audio.switched(room, c, room.sourceLanguage);
      }
    }
    JsonObject switched =
        WsMessages.of(Messages.LANGUAGE_SWITCHED)
            .put("connectionId", c.id)
            .put("previousLanguage", from)
            .put("targetLanguage", to)
            .put("audioLanguage", c.audioLanguage);
    // The stream now heard may be encoded differently from the last one.
    AudioFormat heard = room == null ? null : audio.formatHeard(room, c);
    if (heard != null) {
      switched.put("audio", heard.toJson());
    }
    reply(c, requestId, switched);
  }

  /** A caption from the speaker (source language) or a worker (its language) to its listeners. */
  private void caption(Connection c, JsonObject message) {
    if (c.role == Role.LISTENER) {
      throw new ApiException(
          ErrorCode.ACTION_NOT_ALLOWED, "only speakers and workers publish captions");
    }
    Object text = message.getValue("text");
    Object last = message.getValue("final", Boolean.TRUE);
    if (!(text instanceof String t) || t.isBlank() || t.length() > MAX_CAPTION_CHARS) {
      throw new ApiException(
          ErrorCode.INVALID_REQUEST,
          "'text' must be a non-empty string of at most 2000 characters");
    }
    if (!(last instanceof Boolean)) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "'final' must be true or false");
    }
    JsonObject caption =
        WsMessages.of(Messages.CAPTION)
            .put("language", c.language)
            .put("text", t)
            .put("final", last);
    deliverCaption(registry.room(c.sessionId), c.language, caption.encode());
    outbound.captionHere(c.sessionId, c.language, caption);
    if (Boolean.TRUE.equals(last)) {
      transcripts.keep(c.sessionId, c.language, t);
    }
  }

  /** A caption of {@code language} to this node's listeners who hear or want that language. */
  static void deliverCaption(SessionRoom room, String language, String caption) {
    if (room == null) {
      return;
    }
    for (Connection member : room.all()) {
      if (member.role == Role.LISTENER
          && (language.equals(member.language) || language.equals(member.audioLanguage))) {
        member.sendText(caption);
      }
    }
  }

  private void sessionStatus(Connection c, Object requestId) {
    sessions
        .view(c.sessionId)
        .onSuccess(
            view -> {
              SessionRoom room = registry.room(c.sessionId);
              JsonObject m =
                  WsMessages.counts(
                      WsMessages.of(Messages.SESSION_STATUS)
                          .put("sessionId", view.sessionId())
                          .put("status", view.status().wireName())
                          .put("sourceLanguage", view.sourceLanguage())
                          .put("qualityTier", view.qualityTier().wireName())
                          .put("speakerConnected", room != null && room.isSpeakerConnected())
                          .put("expiresAt", view.expiresAt()),
                      view.listenersByLanguage());
              reply(c, requestId, m);
            })
        .onFailure(
            e ->
                reply(
                    c,
                    requestId,
                    e instanceof ApiException api
                        ? error(api.code(), api.getMessage())
                        : error(ErrorCode.SERVICE_UNAVAILABLE, "status unavailable; try again")));
  }

  private static JsonObject error(ErrorCode code, String message) {
    return WsMessages.error(code, message, null);
  }

  private static void reply(Connection c, Object requestId, JsonObject message) {
    if (requestId != null) {
      message.put("requestId", requestId);
    }
    c.send(message);
  }
}
