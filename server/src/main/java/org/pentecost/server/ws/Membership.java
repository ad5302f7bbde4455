package org.pentecost.server.ws;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.Messages;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.cluster.Broker;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.session.ListenerCountStore;
import org.pentecost.server.session.Session;
import org.pentecost.server.session.SessionService;
import org.pentecost.server.session.SessionStatus;
import org.pentecost.server.util.Futures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Join, leave and refresh for the three roles, once a connection is admitted: it enters its
 * session's room (listeners the audience of their stream, speakers and workers the publisher of
 * theirs), is told {@code sessionJoined} first, takes over from the connection it refreshes, and on
 * close leaves everything it held exactly once, whatever the order of events.
 */
final class Membership {
  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

  private final Vertx vertx;
  private final PentecostConfig.Connections config;
  private final ListenerCountStore counts;
  private final ConnectionRegistry registry;
  private final AudioRouting audio;
  private final SessionEvents events;
  private final SessionService sessions;
  private final Broker broker;
  private final RemoteStreams remote;
  private final OutboundEvents outbound;
  private final long graceMillis;
  private final JoinMessages messages;

  /** Whether the node is stopping: a speaker's close then is the node's doing. */
  private final BooleanSupplier stopping;

  private final Map<Role, AtomicInteger> open =
      Map.of(
          Role.SPEAKER,
          new AtomicInteger(),
          Role.LISTENER,
          new AtomicInteger(),
          Role.WORKER,
          new AtomicInteger());

  Membership(
      Vertx vertx,
      PentecostConfig config,
      ListenerCountStore counts,
      ConnectionRegistry registry,
      AudioRouting audio,
      SessionEvents events,
      SessionService sessions,
      Broker broker,
      RemoteStreams remote,
      OutboundEvents outbound,
      BooleanSupplier stopping,
      MeterRegistry meters) {
    this.vertx = vertx;
    this.config = config.connections();
    this.counts = counts;
    this.registry = registry;
    this.audio = audio;
    this.events = events;
    this.sessions = sessions;
    this.broker = broker;
    this.remote = remote;
    this.outbound = outbound;
    this.graceMillis = config.sessions().speakerGracePeriod().toMillis();
    this.messages = new JoinMessages(config.connections());
    this.stopping = stopping;
    open.forEach(
        (role, n) ->
            Gauge.builder("pentecost.connections", n, AtomicInteger::get)
                .description("Open WebSocket connections by role")
                .tag("role", role.wire())
                .register(meters));
  }

  /** Joins an admitted connection; completes once its {@code sessionJoined} is out. */
  Future<Void> join(Admission.Admitted a) {
    Connection c = a.connection();
    if (c.role != Role.LISTENER || a.lastSeq() < 0) {
      return join(a, false);
    }
    // Resuming on a node that may not have heard the stream: subscribe first, then read the
    // shared window, so that every frame is either in what was read or arrives live. The hold
    // keeps the room, and its stream's window, until the listener is in it. On a single node
    // (LocalBroker) both complete at once with nothing, and the join runs in this same turn.
    SessionRoom held =
        registry.inRoom(
            c.sessionId,
            r -> {
              r.holds++;
              return r;
            });
    String language = audio.languageFor(held, c, a.session().sourceLanguage());
    Future<Void> read =
        broker
            .subscribe(c.sessionId, language)
            .compose(v -> broker.window(c.sessionId, language))
            .map(
                frames -> {
                  audio.catchUpFromWindow(held, language, frames);
                  return (Void) null;
                })
            .recover(
                e -> {
                  LOG.warn("{}: reading the shared window failed: {}", c, e.toString());
                  return Future.succeededFuture();
                });
    return Futures.onContext(read, c.context)
        .compose(
            v -> {
              try {
                if (c.socket.isClosed()) {
                  registry.inRoom(
                      c.sessionId,
                      r -> {
                        r.holds--;
                        return null;
                      });
                  return Future.succeededFuture();
                }
                return join(a, true);
              } finally {
                broker.unsubscribe(c.sessionId, language);
              }
            });
  }

  private Future<Void> join(Admission.Admitted a, boolean held) {
    Connection c = a.connection();
    LOG.debug("{} joined from {}", c, c.clientIp.getHostAddress());
    Session session = a.session();
    Connection previous = a.previous();
    registry.register(c);
    open.get(c.role).incrementAndGet();
    // Membership changes in the same atomic step that creates the room, so the room is never
    // dropped as empty in between.
    Object[] replacedOrChange = new Object[1];
    SessionRoom room =
        registry.inRoom(
            c.sessionId,
            r -> {
              r.sourceLanguage = session.sourceLanguage();
              r.paused = session.status() == SessionStatus.PAUSED;
              r.keepRecord(session);
              if (held) {
                r.holds--;
              }
              switch (c.role) {
                case LISTENER -> {
                  r.addListener(c);
                  r.statsDirty = true;
                }
                case WORKER -> replacedOrChange[0] = r.setWorker(c);
                case SPEAKER -> replacedOrChange[0] = r.setSpeaker(c);
              }
              return r;
            });
    if (c.role == Role.LISTENER) {
      boolean live = audio.isLive(room, c.language);
      // Subscribed before it is told it joined, so that it misses nothing published meanwhile;
      // its replay follows sessionJoined in this same turn of its event loop, ahead of any live
      // frame (those reach it as tasks queued behind this one).
      AudioRouting.CatchUp catchUp =
          audio.listenerJoined(room, c, session.sourceLanguage(), a.lastSeq());
      JsonObject joined = messages.joined(c, session, speakerConnected(room), null);
      joined.put("streamAvailable", live).put("audioLanguage", c.audioLanguage);
      joined.put("liveLanguages", new JsonArray(audio.liveLanguages(room)));
      AudioFormat format = audio.formatHeard(room, c);
      if (format != null) {
        joined.put("audio", format.toJson());
      }
      String elsewhere = refreshedElsewhere(c, a.previousElsewhere());
      c.announce(
          joined, JoinMessages.refreshComplete(c, previous != null ? previous.id : elsewhere));
      if (previous != null || elsewhere != null) {
        ConnectionLog.refreshed(previous != null ? previous.id : elsewhere, c, previous == null);
      }
      refreshed(previous);
      audio.catchUp(c, catchUp);
      return Future.succeededFuture();
    }
    // Numbering goes on from the newest frame of the shared window (a speaker that refreshed
    // from another node): listeners see no jump. The window's frames this node has not had yet
    // (still on their way from the old node) are taken from it first, in order, and fanned out
    // here: a frame that arrives later by pub/sub is then a duplicate, never a gap. Nothing is
    // read from the socket before this. On a single node the window is empty at once.
    Future<Void> numbered =
        Futures.onContext(
            broker
                .window(c.sessionId, c.language)
                .map(
                    frames -> {
                      audio.catchUpFromWindow(room, c.language, frames);
                      return (Void) null;
                    })
                .recover(
                    e -> {
                      LOG.warn("{}: reading the shared window failed: {}", c, e.toString());
                      return Future.succeededFuture();
                    }),
            c.context);
    return numbered.compose(v -> publisherJoined(c, room, session, previous, replacedOrChange[0]));
  }

  private Future<Void> publisherJoined(
      Connection c, SessionRoom room, Session session, Connection previous, Object change0) {
    Object[] replacedOrChange = {change0};
    if (c.role == Role.WORKER) {
      Connection replaced = (Connection) replacedOrChange[0];
      // The newcomer publishes before the replaced connection closes: its close handler then
      // finds someone else publishing and stops nothing (no stream.stopped/started blip).
      audio.workerJoined(room, c, session.sourceLanguage());
      if (replaced != null && replaced != previous) {
        replaced.close(CloseCode.REPLACED, "replaced by a newer worker connection");
      }
    } else {
      SessionRoom.SpeakerChange change = (SessionRoom.SpeakerChange) replacedOrChange[0];
      if (change.cancelledTimer() >= 0) {
        vertx.cancelTimer(change.cancelledTimer());
      }
      Connection replaced = change.previous();
      // a refresh or takeover (here, or from the node that holds the speaker) is no new speaker
      if (previous == null && replaced == null && !remote.speakerConnected(c.sessionId)) {
        outbound.webhooks().speakerConnected(c);
      }
      boolean awayElsewhere = outbound.speakerJoinedHere(c.sessionId);
      if (change.wasAway() || awayElsewhere) {
        events.speakerReturned(c.sessionId);
      }
      audio.publisherJoined(room, c);
      if (replaced != null && replaced != previous) {
        // A second speaker connection of the owner takes over from the first; as for a worker,
        // only once the newcomer publishes, so the stream never looks stopped.
        replaced.close(CloseCode.REPLACED, "replaced by a newer speaker connection");
      }
    }
    return counts
        .counts(c.sessionId)
        .transform(
            ar -> {
              JsonObject joined =
                  messages.joined(
                      c, session, speakerConnected(room), ar.succeeded() ? ar.result() : Map.of());
              JoinMessages.publishing(
                  joined, c, c.role == Role.WORKER ? audio.formatHeard(room, c) : null);
              c.announce(
                  joined, JoinMessages.refreshComplete(c, previous == null ? null : previous.id));
              if (previous != null) {
                ConnectionLog.refreshed(previous.id, c, false);
              }
              refreshed(previous);
              return Future.<Void>succeededFuture();
            });
  }

  private boolean speakerConnected(SessionRoom room) {
    return room.isSpeakerConnected() || remote.speakerConnected(room.sessionId);
  }

  /**
   * A session can end between admission's look-up and the join; its end then did not reach this
   * connection, so look once more now that the connection is in the room.
   */
  void closeIfEndedMeanwhile(Connection c) {
    sessions
        .find(c.sessionId)
        .onSuccess(
            s -> {
              if (s.status() == SessionStatus.ENDED) {
                c.send(WsMessages.of(Messages.SESSION_ENDED).put("sessionId", c.sessionId));
                c.close(CloseCode.SESSION_ENDED, "session ended");
              }
            });
  }

  /** Confirms a refresh, and closes the old connection if its client does not. */
  /** The old connection of a refresh here is closed after the overlap. */
  private void refreshed(Connection previous) {
    if (previous == null) {
      return;
    }
    vertx.setTimer(
        config.refreshOverlap().toMillis(),
        t -> previous.context.runOnContext(v -> previous.close(CloseCode.REPLACED, "refreshed")));
  }

  /**
   * A listener's refresh of a connection that is not on this node (it is told {@code
   * connectionRefreshComplete} with its sessionJoined): the node that holds it gives up its place
   * in the counts at once and closes it after the overlap (if it still exists). The new place was
   * taken here, so for that moment the session counts one listener more. Returns {@code
   * previousId}, or null when no other node can hold it (a single node: it is gone, and this is a
   * new join).
   */
  private String refreshedElsewhere(Connection c, String previousId) {
    if (previousId == null) {
      return null;
    }
    boolean sent =
        outbound.retireElsewhere(previousId, c.sessionId, config.refreshOverlap().toMillis());
    return sent ? previousId : null;
  }

  /**
   * Another node took over {@code previousId}'s place (a refresh there): leave the counts now,
   * close after the overlap. Only a listener of that session is retired this way.
   */
  void retiredByRefreshElsewhere(String previousId, String sessionId, long overlapMs) {
    Connection old = registry.get(previousId);
    if (old == null || old.role != Role.LISTENER || !old.sessionId.equals(sessionId)) {
      return;
    }
    if (old.counted.compareAndSet(true, false)) {
      counts.remove(old.sessionId, old.language);
    }
    vertx.setTimer(
        Math.max(1, overlapMs),
        t -> old.context.runOnContext(v -> old.close(CloseCode.REPLACED, "refreshed")));
  }

  /** Clean-up after a close; safe to run twice, in any order with refreshes. */
  void leave(Connection c) {
    LOG.debug("{} left", c);
    if (registry.unregister(c)) {
      open.get(c.role).decrementAndGet();
    }
    if (c.role == Role.LISTENER) {
      if (c.counted.compareAndSet(true, false)) {
        counts.remove(c.sessionId, c.language);
      }
      SessionRoom room =
          registry.inRoom(
              c.sessionId,
              r -> {
                r.removeListener(c);
                r.statsDirty = true;
                return r;
              });
      audio.left(room, c);
      return;
    }
    SessionRoom room = registry.room(c.sessionId);
    if (room != null) {
      audio.left(room, c);
      audio.publisherLeft(room, c, room.sourceLanguage);
    }
    if (c.role == Role.WORKER) {
      registry.inRoom(c.sessionId, r -> r.workerLeft(c));
      return;
    }
    // a speaker that leaves an ended session, or a node that stops, is not waited for: its room
    // must not stay behind marked "speaker away" once its connections are gone
    boolean waitedFor = !stopping.getAsBoolean() && (room == null || !room.ended);
    Boolean dropped = registry.inRoom(c.sessionId, r -> r.speakerLeft(c, waitedFor));
    if (Boolean.TRUE.equals(dropped) && waitedFor) {
      events.speakerDropped(c.sessionId);
      outbound.speakerDroppedHere(c.sessionId, graceMillis);
      outbound.webhooks().speakerDisconnected(c, graceMillis);
    } else if (Boolean.TRUE.equals(dropped)) {
      outbound.speakerLeftHere(c.sessionId);
    }
  }
}
