package org.pentecost.server.ws;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.Messages;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.broadcast.AudioStream;
import org.pentecost.server.cluster.Broker;
import org.pentecost.server.session.Session;
import org.pentecost.server.session.SessionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node knows of the other nodes' part in each session: which languages they publish (with
 * their formats), where the speaker is, whether it dropped there. It is kept from the events
 * between nodes, and it tells this node's connections what they would hear if the publisher were
 * here: {@code streamStarted}/{@code streamStopped}, the fallback moves, {@code speakerConnected},
 * {@code speakerDisconnected}/{@code speakerReconnected}, and pause, resume and end.
 *
 * <p>Events (JSON on the broker's events channel, each with the sending {@code node}):
 *
 * <ul>
 *   <li>{@code stream} {@code started} (with {@code audio}) / {@code stopped}, per language;
 *   <li>{@code speaker} {@code joined} / {@code dropped} (with {@code gracePeriodMs}) / {@code
 *       left};
 *   <li>{@code status}: the session's status changed; the receiver reads it from the store.
 * </ul>
 *
 * With a {@link org.pentecost.server.cluster.LocalBroker} nothing leaves and nothing arrives.
 */
final class RemoteStreams {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteStreams.class);

  private final Broker broker;
  private final Map<String, Remote> sessions = new ConcurrentHashMap<>();
  private Vertx vertx;
  private ConnectionRegistry registry;
  private AudioRouting audio;
  private SessionEvents events;
  private SessionService store;
  private Duration overlap;
  private Membership gateway;

  /** One session's state elsewhere; guarded by itself. */
  private static final class Remote {
    String speakerNode;
    boolean speakerAway;
    final Map<String, Stream> streams = new HashMap<>();
  }

  private record Stream(String node, AudioFormat format) {}

  RemoteStreams(Broker broker) {
    this.broker = broker;
  }

  void attach(
      Membership gateway,
      Vertx vertx,
      ConnectionRegistry registry,
      AudioRouting audio,
      SessionEvents events,
      SessionService store,
      Duration overlap) {
    this.gateway = gateway;
    this.vertx = vertx;
    this.registry = registry;
    this.audio = audio;
    this.events = events;
    this.store = store;
    this.overlap = overlap;
  }

  // ---- what other nodes do

  /** The format of {@code language} published on another node, or null. */
  AudioFormat format(String sessionId, String language) {
    Remote r = sessions.get(sessionId);
    if (r == null) {
      return null;
    }
    synchronized (r) {
      Stream s = r.streams.get(language);
      return s == null ? null : s.format();
    }
  }

  boolean speakerConnected(String sessionId) {
    Remote r = sessions.get(sessionId);
    if (r == null) {
      return false;
    }
    synchronized (r) {
      return r.speakerNode != null;
    }
  }

  // ---- what this node does, told to the others

  /**
   * A connection here now publishes {@code language}: the others learn it (and stop their own
   * publisher of it). True if another node published it until now (a takeover: listeners here
   * already hear the stream).
   */
  boolean publishedHere(String sessionId, String language, AudioFormat format) {
    boolean was = false;
    Remote r = sessions.get(sessionId);
    if (r != null) {
      synchronized (r) {
        was = r.streams.remove(language) != null;
      }
    }
    broker.publishEvent(
        new JsonObject()
            .put("type", "stream")
            .put("state", "started")
            .put("sessionId", sessionId)
            .put("language", language)
            .put("audio", format.toJson()));
    return was;
  }

  void stoppedHere(String sessionId, String language) {
    broker.publishEvent(
        new JsonObject()
            .put("type", "stream")
            .put("state", "stopped")
            .put("sessionId", sessionId)
            .put("language", language));
  }

  /** The speaker connected here; true if listeners here were told it had dropped elsewhere. */
  boolean speakerJoinedHere(String sessionId) {
    boolean wasAway = false;
    Remote r = sessions.get(sessionId);
    if (r != null) {
      synchronized (r) {
        wasAway = r.speakerAway;
        r.speakerAway = false;
        r.speakerNode = null;
      }
    }
    speakerEvent(sessionId, "joined");
    return wasAway;
  }

  void speakerDroppedHere(String sessionId, long graceMs) {
    broker.publishEvent(speaker(sessionId, "dropped").put("gracePeriodMs", graceMs));
  }

  void speakerLeftHere(String sessionId) {
    speakerEvent(sessionId, "left");
  }

  void statusChangedHere(Session session) {
    broker.publishEvent(
        new JsonObject()
            .put("type", "status")
            .put("sessionId", session.id())
            .put("status", session.status().wireName()));
  }

  /**
   * This node has its first connection of the session: the nodes that publish in it or hold its
   * speaker say so again ({@code sync}), so that a node started after a stream began learns of it.
   */
  void roomOpenedHere(String sessionId) {
    broker.publishEvent(new JsonObject().put("type", "sync").put("sessionId", sessionId));
  }

  /**
   * Another node asked: repeat what this node publishes in the session and whether it holds the
   * speaker.
   */
  private void resync(String sessionId) {
    SessionRoom room = registry.room(sessionId);
    if (room == null) {
      return;
    }
    room.publishedHere()
        .forEach(
            (language, format) ->
                broker.publishEvent(
                    new JsonObject()
                        .put("type", "stream")
                        .put("state", "started")
                        .put("resync", true)
                        .put("sessionId", sessionId)
                        .put("language", language)
                        .put("audio", format.toJson())));
    if (room.speaker() != null) {
      broker.publishEvent(speaker(sessionId, "joined").put("resync", true));
    }
  }

  /**
   * A listener here took the place of {@code previousId}, which is not here. False when there is no
   * other node that could hold it.
   */
  boolean retireElsewhere(String previousId, String sessionId, long overlapMs) {
    return broker.publishEvent(
        new JsonObject()
            .put("type", "retire")
            .put("sessionId", sessionId)
            .put("connectionId", previousId)
            .put("overlapMs", overlapMs));
  }

  /** A message for a connection that is not here: the node that holds it delivers it. */
  void sendElsewhere(String connectionId, JsonObject message) {
    broker.publishEvent(
        new JsonObject()
            .put("type", "direct")
            .put("sessionId", "")
            .put("connectionId", connectionId)
            .put("message", message));
  }

  /** A caption published here: the other nodes give it to their listeners of its language. */
  void captionHere(String sessionId, String language, JsonObject caption) {
    broker.publishEvent(
        new JsonObject()
            .put("type", "caption")
            .put("sessionId", sessionId)
            .put("language", language)
            .put("caption", caption));
  }

  private void speakerEvent(String sessionId, String state) {
    broker.publishEvent(speaker(sessionId, state));
  }

  private static JsonObject speaker(String sessionId, String state) {
    return new JsonObject().put("type", "speaker").put("state", state).put("sessionId", sessionId);
  }

  // ---- events from other nodes

  void event(JsonObject e) {
    String sessionId = e.getString("sessionId");
    String node = e.getString("node");
    if (sessionId == null || node == null) {
      return;
    }
    if ("retire".equals(e.getString("type"))) {
      gateway.retiredByRefreshElsewhere(
          e.getString("connectionId", ""), sessionId, e.getLong("overlapMs", 0L));
      return;
    }
    if ("direct".equals(e.getString("type"))) {
      Connection c = registry.get(e.getString("connectionId", ""));
      if (c != null) {
        c.send(e.getJsonObject("message", new JsonObject()));
      }
      return;
    }
    try {
      switch (e.getString("type", "")) {
        case "sync" -> resync(sessionId);
        case "stream" -> {
          if (e.getBoolean("resync", false) && publishesHere(sessionId, e.getString("language"))) {
            return; // a repeat must never take a stream over from a publisher here
          }
          if ("started".equals(e.getString("state"))) {
            streamStarted(
                sessionId,
                e.getString("language"),
                node,
                AudioFormat.fromJson(e.getJsonObject("audio", new JsonObject())));
          } else {
            streamStopped(sessionId, e.getString("language"), node);
          }
        }
        case "speaker" -> {
          SessionRoom room = registry.room(sessionId);
          if (e.getBoolean("resync", false) && room != null && room.speaker() != null) {
            return; // the same: a repeat never displaces a speaker here
          }
          speakerEvent(sessionId, e.getString("state", ""), node, e);
        }
        case "status" -> statusChanged(sessionId, e.getString("status", ""));
        case "caption" ->
            ActionRouter.deliverCaption(
                registry.room(sessionId),
                e.getString("language", ""),
                e.getJsonObject("caption", new JsonObject()).encode());
        default -> LOG.debug("ignoring event {}", e);
      }
    } catch (RuntimeException ex) {
      LOG.warn("event {} failed: {}", e, ex.toString());
    }
  }

  private boolean publishesHere(String sessionId, String language) {
    SessionRoom room = registry.room(sessionId);
    AudioStream s = room == null || language == null ? null : room.existingStream(language);
    return s != null && s.publisherConnection() != null;
  }

  private Remote remote(String sessionId) {
    return sessions.computeIfAbsent(sessionId, k -> new Remote());
  }

  private void streamStarted(String sessionId, String language, String node, AudioFormat format) {
    Remote r = remote(sessionId);
    Stream previous;
    synchronized (r) {
      previous = r.streams.put(language, new Stream(node, format));
    }
    SessionRoom room = registry.room(sessionId);
    if (room == null) {
      return;
    }
    AudioStream s = room.existingStream(language);
    Connection local = s == null ? null : (Connection) s.publisherConnection();
    AudioFormat before = previous == null ? null : previous.format();
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
    Remote r = sessions.get(sessionId);
    if (r == null) {
      return;
    }
    synchronized (r) {
      Stream s = r.streams.get(language);
      if (s == null || !s.node().equals(node)) {
        return; // stale: another node took the stream over since
      }
      r.streams.remove(language);
    }
    SessionRoom room = registry.room(sessionId);
    if (room != null) {
      audio.remoteStopped(room, language, room.sourceLanguage);
    }
  }

  private void speakerEvent(String sessionId, String state, String node, JsonObject e) {
    Remote r = remote(sessionId);
    switch (state) {
      case "joined" -> {
        boolean wasAway;
        synchronized (r) {
          wasAway = r.speakerAway;
          r.speakerAway = false;
          r.speakerNode = node;
        }
        if (registry.room(sessionId) != null) {
          SessionRoom room = registry.room(sessionId);
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
      case "dropped" -> {
        synchronized (r) {
          if (!node.equals(r.speakerNode)) {
            return;
          }
          r.speakerNode = null;
          r.speakerAway = true;
        }
        registry.toListeners(
            sessionId,
            WsMessages.of(Messages.SPEAKER_DISCONNECTED)
                .put("sessionId", sessionId)
                .put("gracePeriodMs", e.getLong("gracePeriodMs", 0L)));
      }
      case "left" -> {
        synchronized (r) {
          if (node.equals(r.speakerNode)) {
            r.speakerNode = null;
          }
        }
      }
      default -> LOG.debug("ignoring speaker event {}", e);
    }
  }

  /** The session's status changed on another node: applied here, and forgotten once ended. */
  private void statusChanged(String sessionId, String status) {
    events
        .changedElsewhere(sessionId, status, store.find(sessionId))
        .onSuccess(
            ended -> {
              if (ended) {
                sessions.remove(sessionId);
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
