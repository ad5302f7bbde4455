package org.pentecost.server.ws;

import io.vertx.core.json.JsonObject;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.cluster.Broker;
import org.pentecost.server.cluster.NodeEvent;
import org.pentecost.server.session.Session;

/**
 * What this node tells the others (as {@link NodeEvent}s through the broker): the streams it
 * publishes, where the speaker is, status changes made here, captions, messages for connections it
 * does not hold. With a {@link org.pentecost.server.cluster.LocalBroker} every event goes nowhere.
 */
final class OutboundEvents {
  private final Broker broker;
  private final RemoteStreams remote;
  private final ConnectionRegistry registry;
  private final WebhookEvents webhooks;

  OutboundEvents(
      Broker broker, RemoteStreams remote, ConnectionRegistry registry, WebhookEvents webhooks) {
    this.broker = broker;
    this.remote = remote;
    this.registry = registry;
    this.webhooks = webhooks;
  }

  /** What this node tells the backend (webhooks), next to what it tells the other nodes. */
  WebhookEvents webhooks() {
    return webhooks;
  }

  /** A connection here now publishes {@code language}: the others learn it (and stop theirs). */
  void publishedHere(String sessionId, String language, AudioFormat format) {
    remote.publishedHere(sessionId, language);
    broker.publishEvent(new NodeEvent.StreamStarted(sessionId, language, format, false));
  }

  void stoppedHere(String sessionId, String language) {
    broker.publishEvent(new NodeEvent.StreamStopped(sessionId, language));
  }

  /** The speaker connected here; true if listeners here were told it had dropped elsewhere. */
  boolean speakerJoinedHere(String sessionId) {
    boolean wasAway = remote.speakerJoinedHere(sessionId);
    broker.publishEvent(new NodeEvent.SpeakerJoined(sessionId, false));
    return wasAway;
  }

  void speakerDroppedHere(String sessionId, long graceMs) {
    broker.publishEvent(new NodeEvent.SpeakerDropped(sessionId, graceMs));
  }

  void speakerLeftHere(String sessionId) {
    broker.publishEvent(new NodeEvent.SpeakerLeft(sessionId));
  }

  void statusChangedHere(Session session) {
    broker.publishEvent(new NodeEvent.StatusChanged(session.id(), session.status()));
  }

  /**
   * This node has its first connection of the session: the nodes that publish in it or hold its
   * speaker say so again, so that a node started after a stream began learns of it.
   */
  void roomOpenedHere(String sessionId) {
    broker.publishEvent(new NodeEvent.SyncRequest(sessionId));
  }

  /**
   * Another node asked ({@link NodeEvent.SyncRequest}): repeat what this node publishes in the
   * session and whether it holds the speaker.
   */
  void repeatFor(String sessionId) {
    SessionRoom room = registry.room(sessionId);
    if (room == null) {
      return;
    }
    room.publishedHere()
        .forEach(
            (language, format) ->
                broker.publishEvent(
                    new NodeEvent.StreamStarted(sessionId, language, format, true)));
    if (room.speaker() != null) {
      broker.publishEvent(new NodeEvent.SpeakerJoined(sessionId, true));
    }
  }

  /**
   * A listener here took the place of {@code previousId}, which is not here. False when there is no
   * other node that could hold it.
   */
  boolean retireElsewhere(String previousId, String sessionId, long overlapMs) {
    return broker.publishEvent(new NodeEvent.RetireConnection(sessionId, previousId, overlapMs));
  }

  /** A message for a connection that is not here: the node that holds it delivers it. */
  void sendElsewhere(String connectionId, JsonObject message) {
    broker.publishEvent(new NodeEvent.ToConnection(connectionId, message));
  }

  /** A caption published here: the other nodes give it to their listeners of its language. */
  void captionHere(String sessionId, String language, JsonObject caption) {
    broker.publishEvent(new NodeEvent.Caption(sessionId, language, caption));
  }
}
