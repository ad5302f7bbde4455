package org.pentecost.server.ws;

import io.vertx.core.Vertx;
import java.time.Duration;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.Messages;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.broadcast.AudioStream;
import org.pentecost.server.cluster.NodeEvent;
import org.pentecost.server.session.SessionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the other nodes tell this node, applied here: it keeps {@link RemoteStreams} and tells this
 * node's connections what they would hear if the publisher were here: {@code streamStarted}/{@code
 * streamStopped}, the fallback moves, {@code speakerDisconnected}/{@code speakerReconnected}, and
 * pause, resume and end. A stream or speaker taken over elsewhere stops here at once and its
 * connection is closed after the refresh overlap.
 */
final class InboundEvents {
  private static final Logger LOG = LoggerFactory.getLogger(InboundEvents.class);

  private final RemoteStreams remote;
  private final OutboundEvents outbound;
  private final ConnectionRegistry registry;
  private final AudioRouting audio;
  private final SessionEvents events;
  private final SessionService store;
  private final Membership membership;
  private final Vertx vertx;
  private final Duration overlap;

  InboundEvents(
      RemoteStreams remote,
      OutboundEvents outbound,
      ConnectionRegistry registry,
      AudioRouting audio,
      SessionEvents events,
      SessionService store,
      Membership membership,
      Vertx vertx,
      Duration overlap) {
    this.remote = remote;
    this.outbound = outbound;
    this.registry = registry;
    this.audio = audio;
    this.events = events;
    this.store = store;
    this.membership = membership;
    this.vertx = vertx;
    this.overlap = overlap;
  }

  /** An event {@code node} sent (the broker's handler; never this node's own). */
  void event(String node, NodeEvent event) {
    try {
      // Java 17 has no switch over a sealed type: one branch per permitted record.
      if (event instanceof NodeEvent.StreamStarted e) {
        if (!(e.resync() && publishesHere(e.sessionId(), e.language()))) {
          // (a repeat must never take a stream over from a publisher here)
          streamStarted(e.sessionId(), e.language(), node, e.format());
        }
      } else if (event instanceof NodeEvent.StreamStopped e) {
        streamStopped(e.sessionId(), e.language(), node);
      } else if (event instanceof NodeEvent.SpeakerJoined e) {
        SessionRoom room = registry.room(e.sessionId());
        if (!(e.resync() && room != null && room.speaker() != null)) {
          // (the same: a repeat never displaces a speaker here)
          speakerJoined(e.sessionId(), node);
        }
      } else if (event instanceof NodeEvent.SpeakerDropped e) {
        if (remote.speakerDroppedThere(e.sessionId(), node)) {
          registry.toListeners(
              e.sessionId(),
              WsMessages.of(Messages.SPEAKER_DISCONNECTED)
                  .put("sessionId", e.sessionId())
                  .put("gracePeriodMs", e.gracePeriodMs()));
        }
      } else if (event instanceof NodeEvent.SpeakerLeft e) {
        remote.speakerLeftThere(e.sessionId(), node);
      } else if (event instanceof NodeEvent.StatusChanged e) {
        statusChanged(e);
      } else if (event instanceof NodeEvent.SyncRequest e) {
        outbound.repeatFor(e.sessionId());
      } else if (event instanceof NodeEvent.RetireConnection e) {
        membership.retiredByRefreshElsewhere(e.connectionId(), e.sessionId(), e.overlapMs());
      } else if (event instanceof NodeEvent.ToConnection e) {
        Connection c = registry.get(e.connectionId());
        if (c != null) {
          c.send(e.message());
        }
      } else if (event instanceof NodeEvent.Caption e) {
        ActionRouter.deliverCaption(
            registry.room(e.sessionId()), e.language(), e.caption().encode());
      }
    } catch (RuntimeException ex) {
      LOG.warn("event {} from {} failed: {}", event, node, ex.toString());
    }
  }

  private boolean publishesHere(String sessionId, String language) {
    SessionRoom room = registry.room(sessionId);
    AudioStream s = room == null ? null : room.existingStream(language);
    return s != null && s.publisherConnection() != null;
  }

  private void streamStarted(String sessionId, String language, String node, AudioFormat format) {
    AudioFormat before = remote.startedThere(sessionId, language, node, format);
    SessionRoom room = registry.room(sessionId);
    if (room == null) {
      return;
    }
    AudioStream s = room.existingStream(language);
    Connection local = s == null ? null : (Connection) s.publisherConnection();
    if (local != null && s.publisherLeft(local)) {
      // Published on another node now (a refresh or a second connection there): this one stops
      // being the publisher at once, its listeners notice nothing, and it is closed shortly.
      if (local.role == Role.WORKER) {
        registry.inRoom(sessionId, x -> x.workerLeft(local));
      }
      retire(local);
      before = local.format;
    }
    if (before == null || !before.equals(format)) {
      // A new stream, or one its new publisher encodes differently: its listeners must know.
      audio.remoteStarted(room, language, format);
    }
  }

  private void streamStopped(String sessionId, String language, String node) {
    if (!remote.stoppedThere(sessionId, language, node)) {
      return; // unknown, or stale: another node took the stream over since
    }
    SessionRoom room = registry.room(sessionId);
    if (room != null) {
      audio.remoteStopped(room, language, room.sourceLanguage);
    }
  }

  private void speakerJoined(String sessionId, String node) {
    boolean wasAway = remote.speakerJoinedThere(sessionId, node);
    SessionRoom room = registry.room(sessionId);
    if (room != null) {
      Connection local = room.speaker();
      if (local != null && room.speakerMoved(local)) {
        retire(local);
      }
      SessionRoom.SpeakerChange change =
          registry.inRoom(sessionId, SessionRoom::speakerBackElsewhere);
      if (change.cancelledTimer() >= 0) {
        vertx.cancelTimer(change.cancelledTimer());
      }
      registry.tidy(sessionId);
      wasAway |= change.wasAway();
    }
    if (wasAway) {
      events.speakerReturned(sessionId);
    }
  }

  /** The session's status changed on another node: applied here, and forgotten once ended. */
  private void statusChanged(NodeEvent.StatusChanged e) {
    events
        .changedElsewhere(e.sessionId(), e.status(), store.find(e.sessionId()))
        .onSuccess(
            ended -> {
              if (ended) {
                remote.forget(e.sessionId());
              }
            });
  }

  /** Closes a connection superseded on another node, after the refresh overlap. */
  private void retire(Connection c) {
    vertx.setTimer(
        Math.max(1, overlap.toMillis()),
        t ->
            c.context.runOnContext(
                v -> c.close(CloseCode.REPLACED, "replaced by a connection on another node")));
  }
}
