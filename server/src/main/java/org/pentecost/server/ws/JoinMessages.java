package org.pentecost.server.ws;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.pentecost.protocol.Messages;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.session.Session;

/** What a joining connection is told first: {@code sessionJoined}, and a refresh's completion. */
final class JoinMessages {
  private final PentecostConfig.Connections config;

  JoinMessages(PentecostConfig.Connections config) {
    this.config = config;
  }

  /** {@code sessionJoined}; {@code listenerCounts} (a speaker's) may be null. */
  JsonObject joined(
      Connection c,
      Session session,
      boolean speakerConnected,
      Map<String, Integer> listenerCounts) {
    var m =
        WsMessages.of(Messages.SESSION_JOINED)
            .put("connectionId", c.id)
            .put("sessionId", session.id())
            .put("role", c.role.wire())
            .put("sourceLanguage", session.sourceLanguage())
            .put("status", session.status().wireName())
            .put("speakerConnected", speakerConnected)
            .put("heartbeatIntervalMs", config.heartbeatInterval().toMillis())
            .put("refreshAfterMs", config.refreshAt().toMillis());
    if (c.language != null) {
      m.put("targetLanguage", c.language);
    }
    if (listenerCounts != null) {
      WsMessages.counts(m, listenerCounts);
    }
    return m;
  }

  /**
   * A publisher's {@code sessionJoined} carries its own format ({@code audio}) and, for a worker,
   * the format of the source it hears now ({@code sourceAudio}; {@code heard} null while nobody
   * publishes it), not only when the source next starts.
   */
  static void publishing(JsonObject joined, Connection c, AudioFormat heard) {
    joined.put("audio", c.format.toJson());
    if (heard != null) {
      joined.put("sourceAudio", heard.toJson());
    }
  }

  /** {@code connectionRefreshComplete} for a refresh of {@code previousId}; null when none. */
  static JsonObject refreshComplete(Connection c, String previousId) {
    return previousId == null
        ? null
        : WsMessages.of(Messages.CONNECTION_REFRESH_COMPLETE)
            .put("connectionId", c.id)
            .put("previousConnectionId", previousId);
  }
}
