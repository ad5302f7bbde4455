package org.pentecost.server.ws;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.protocol.Messages;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.session.Session;
import org.pentecost.server.session.SessionService;
import org.pentecost.server.session.SessionStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a session's connections when the session changes: pause, resume and end (from the
 * HTTP API or a speaker who does not come back), and the speaker's drop and return.
 */
final class SessionEvents {
  private static final Logger LOG = LoggerFactory.getLogger(SessionEvents.class);

  private final Vertx vertx;
  private final ConnectionRegistry registry;
  private final SessionService sessions;
  private final Duration grace;

  /** How often, and how long apart, a failed end of a session in the store is tried again. */
  private static final int END_ATTEMPTS = 30;

  private static final long END_RETRY_MS = 2_000;

  SessionEvents(Vertx vertx, ConnectionRegistry registry, SessionService sessions, Duration grace) {
    this.vertx = vertx;
    this.registry = registry;
    this.sessions = sessions;
    this.grace = grace;
  }

  /** Called by the session service after every status change, from any thread. */
  void statusChanged(Session session) {
    String id = session.id();
    SessionRoom room = registry.room(id);
    if (room != null) {
      room.paused = session.status() == SessionStatus.PAUSED;
    }
    if (session.status() == SessionStatus.PAUSED) {
      registry.broadcast(id, WsMessages.of(Messages.SESSION_PAUSED).put("sessionId", id));
    } else if (session.status() == SessionStatus.ACTIVE) {
      registry.broadcast(id, WsMessages.of(Messages.SESSION_RESUMED).put("sessionId", id));
    } else if (session.status() == SessionStatus.ENDED) {
      endHere(id);
    }
  }

  /**
   * Another node changed the session's status to {@code status}; {@code read} is its new state,
   * being read from the store, which is applied here. An end holds even when the store no longer
   * has this node's session (its record was lost, or another session took the code): its
   * connections here end too. True if it ended here.
   */
  Future<Boolean> changedElsewhere(String id, SessionStatus status, Future<Session> read) {
    SessionRoom room = registry.room(id);
    Session known = room == null ? null : room.record();
    return read.transform(
        ar -> {
          if (ar.succeeded() && (known == null || ar.result().sameSessionAs(known))) {
            statusChanged(ar.result());
            return Future.succeededFuture(ar.result().status() == SessionStatus.ENDED);
          }
          if (status == SessionStatus.ENDED) {
            LOG.info(
                "session {} ended on another node and is not in the store; ending it here", id);
            endHere(id);
            return Future.succeededFuture(true);
          }
          LOG.warn(
              "session {} changed on another node, but reading it failed: {}",
              id,
              ar.failed() ? ar.cause().toString() : "another session holds its code");
          return Future.succeededFuture(false);
        });
  }

  /**
   * The session ended: every connection of it here is told ({@code sessionEnded}) and closed with
   * 4410, and a speaker's grace period here stops (nothing is left waiting to end it again).
   */
  void endHere(String id) {
    SessionRoom room = registry.room(id);
    if (room == null) {
      return;
    }
    room.ended = true;
    // reuses the "speaker is back" path only to take the grace timer off the room
    SessionRoom.SpeakerChange waiting = registry.inRoom(id, SessionRoom::speakerBackElsewhere);
    if (waiting.cancelledTimer() >= 0) {
      vertx.cancelTimer(waiting.cancelledTimer());
    }
    String ended = WsMessages.of(Messages.SESSION_ENDED).put("sessionId", id).encode();
    registry.forEachInSession(
        id,
        c -> {
          c.sendText(ended);
          c.close(CloseCode.SESSION_ENDED, "session ended");
        });
    registry.tidy(id);
  }

  /** The session's speaker connection went away without a replacement. */
  void speakerDropped(String sessionId) {
    registry.toListeners(
        sessionId,
        WsMessages.of(Messages.SPEAKER_DISCONNECTED)
            .put("sessionId", sessionId)
            .put("gracePeriodMs", grace.toMillis()));
    if (grace.isZero()) {
      end(sessionId);
      return;
    }
    long timer =
        vertx.setTimer(
            grace.toMillis(),
            t -> {
              Boolean expired = registry.inRoom(sessionId, SessionRoom::graceExpired);
              if (Boolean.TRUE.equals(expired)) {
                end(sessionId);
              }
            });
    registry.inRoom(
        sessionId,
        room -> {
          room.graceTimer(timer);
          return null;
        });
  }

  /** A speaker connected to a room whose listeners had been told the speaker was gone. */
  void speakerReturned(String sessionId) {
    registry.toListeners(
        sessionId, WsMessages.of(Messages.SPEAKER_RECONNECTED).put("sessionId", sessionId));
  }

  private void end(String sessionId) {
    LOG.info("session {} ends: its speaker did not come back within {}", sessionId, grace);
    SessionRoom room = registry.room(sessionId);
    endInStore(sessionId, room == null ? null : room.record(), 1);
  }

  /**
   * Ends the session in the store (and so on every node). If that fails, its connections here end
   * at once all the same, and the store is tried again for a while: the other nodes end theirs when
   * it succeeds.
   */
  private void endInStore(String sessionId, Session known, int attempt) {
    sessions
        .endBySystem(sessionId, known)
        .onFailure(
            e -> {
              boolean unknown =
                  e instanceof ApiException api && api.code() == ErrorCode.SESSION_NOT_FOUND;
              if (attempt == 1) {
                LOG.warn(
                    "could not end session {} in the store ({}); ending it for its connections"
                        + " here{}",
                    sessionId,
                    e.getMessage(),
                    unknown ? "" : ", and trying the store again");
                endHere(sessionId);
              }
              if (!unknown && attempt < END_ATTEMPTS) {
                vertx.setTimer(END_RETRY_MS, t -> endInStore(sessionId, known, attempt + 1));
              } else if (!unknown) {
                LOG.warn("gave up ending session {} in the store", sessionId);
              }
            });
  }
}
