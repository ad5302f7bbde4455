package org.pentecost.server.ws;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.TreeSet;
import org.pentecost.protocol.Messages;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.broadcast.AudioStream;
import org.pentecost.server.broadcast.Fanout;
import org.pentecost.server.broadcast.ReplayWindow;
import org.pentecost.server.cluster.Broker;

/**
 * Who hears which stream. A listener hears its target language's stream; with {@code
 * fallback=source} it hears the source (floor) audio while nobody publishes its language, and moves
 * over when someone starts. Workers hear the source stream and publish their language's.
 *
 * <p>Changes to a connection's own audio state run on its own event loop, so that its replay and
 * its live frames are written in order.
 */
final class AudioRouting {
  private final Fanout fanout;
  private final long windowMicros;
  private final Broker broker;
  private final RemoteStreams remote;
  private final OutboundEvents outbound;

  AudioRouting(
      Fanout fanout,
      long windowMicros,
      Broker broker,
      RemoteStreams remote,
      OutboundEvents outbound) {
    this.fanout = fanout;
    this.windowMicros = windowMicros;
    this.broker = broker;
    this.remote = remote;
    this.outbound = outbound;
  }

  long windowMicros() {
    return windowMicros;
  }

  /** The language a joining listener hears: its own, or the source while nobody publishes it. */
  String languageFor(SessionRoom room, Connection c, String source) {
    boolean useSource = !isLive(room, c.language) && c.fallback && !c.language.equals(source);
    return useSource ? source : c.language;
  }

  /**
   * Adds a member to a stream; the node holds the stream's channel while it has members. A
   * captions-only listener is not added: it gets no frames, and nothing to replay.
   */
  private List<ReplayWindow.Entry> join(
      SessionRoom room, Connection c, String language, long lastSeq) {
    if (c.audioNone) {
      return List.of();
    }
    List<ReplayWindow.Entry> missed = room.stream(language, windowMicros).subscribe(c.out, lastSeq);
    broker.subscribe(room.sessionId, language).onFailure(e -> {});
    return missed;
  }

  /**
   * Catches this node's stream up with the shared window (a listener resumes here, or a publisher
   * takes over here): frames older than the newest it has had fill its window; newer ones are
   * received like frames from pub/sub, in order, so that its listeners skip none of them and the
   * same frames arriving later by pub/sub are duplicates. Numbering then goes on after the newest.
   */
  void catchUpFromWindow(SessionRoom room, String language, List<Broker.Frame> frames) {
    if (frames.isEmpty()) {
      return; // nothing shared (a single node, or a stream nobody published yet)
    }
    room.stream(language, windowMicros)
        .merge(frames, f -> new AudioStream.Numbered(f.seq(), f.durationMicros(), f.audio()))
        .forEach(f -> received(room, f));
  }

  /** A frame numbered on another node: kept here and written to this node's audience. */
  void received(SessionRoom room, Broker.Frame f) {
    AudioStream.Published p =
        room.stream(f.language(), windowMicros).received(f.seq(), f.durationMicros(), f.audio());
    if (p != null) {
      fanout.send(p);
    }
  }

  /**
   * A listener joins its stream (on its own loop); {@code lastSeq} < 0 when it has nothing to
   * resume. Returns what to send it once it has been told it joined: call {@link #catchUp} right
   * after, in the same turn of its event loop, so that nothing published meanwhile is missed and
   * nothing overtakes the replay.
   */
  CatchUp listenerJoined(SessionRoom room, Connection c, String source, long lastSeq) {
    String language = languageFor(room, c, source);
    c.audioLanguage = language;
    return new CatchUp(language, lastSeq, join(room, c, language, lastSeq));
  }

  /** The frames a joining listener missed (null: too old, it joins live). */
  record CatchUp(String language, long lastSeq, List<ReplayWindow.Entry> missed) {}

  void catchUp(Connection c, CatchUp catchUp) {
    if (catchUp.missed() == null) {
      c.send(
          WsMessages.of(Messages.CONTINUITY_LOST)
              .put("language", catchUp.language())
              .put("lastSeq", catchUp.lastSeq()));
      c.out.skip();
    } else {
      fanout.replay(c.out, catchUp.missed());
    }
  }

  /** A worker joined (on its own loop): it hears the source stream and publishes its language. */
  void workerJoined(SessionRoom room, Connection c, String source) {
    subscribe(room, c, source, -1);
    publisherJoined(room, c);
  }

  void left(SessionRoom room, Connection c) {
    String heard = c.audioLanguage;
    if (heard != null) {
      AudioStream s = room.existingStream(heard);
      if (s != null && s.unsubscribe(c.out)) {
        broker.unsubscribe(room.sessionId, heard);
      }
    }
  }

  /** A listener switched its target language (on its own loop): it joins the new stream live. */
  void switched(SessionRoom room, Connection c, String source) {
    left(room, c);
    catchUp(c, listenerJoined(room, c, source, -1));
    c.out.skip();
  }

  /** A speaker or worker became its language's publisher. */
  void publisherJoined(SessionRoom room, Connection c) {
    AudioStream s = room.stream(c.language, windowMicros);
    Connection previous = (Connection) s.publisher(c, c.format);
    AudioFormat elsewhere = remote.format(room.sessionId, c.language);
    outbound.publishedHere(room.sessionId, c.language, c.format);
    AudioFormat before = previous != null ? previous.format : elsewhere;
    if (before != null && c.format.equals(before)) {
      return; // a refresh or takeover: the stream goes on, listeners notice nothing
    }
    // A new stream, or one whose new publisher encodes it differently: its listeners must know.
    announceStarted(room, c.language, c.format, c);
    outbound.webhooks().streamStarted(room.sessionId, c);
  }

  /** Another node started publishing a language (or publishes it in another format now). */
  void remoteStarted(SessionRoom room, String language, AudioFormat format) {
    announceStarted(room, language, format, null);
  }

  private void announceStarted(
      SessionRoom room, String language, AudioFormat format, Connection publisher) {
    JsonObject started =
        WsMessages.of(Messages.STREAM_STARTED)
            .put("language", language)
            .put("audio", format.toJson());
    for (Connection member : room.all()) {
      if (member == publisher) {
        continue;
      }
      boolean hearsIt = language.equals(member.audioLanguage);
      boolean wantsIt = member.role == Role.LISTENER && language.equals(member.language);
      if (wantsIt && !hearsIt && member.audioLanguage != null) {
        // A fallback listener moves from the floor audio to its own language, live.
        member.context.runOnContext(
            v -> {
              left(room, member);
              subscribe(room, member, language, -1);
              member.out.skip();
              member.send(started.copy());
            });
      } else if (hearsIt || wantsIt) {
        member.send(started.copy());
      }
    }
    announceLive(room);
  }

  /** A publisher's connection went away: its listeners hear silence, or the floor again. */
  void publisherLeft(SessionRoom room, Connection c, String source) {
    AudioStream s = room.existingStream(c.language);
    if (s == null || !s.publisherLeft(c)) {
      return;
    }
    outbound.stoppedHere(room.sessionId, c.language);
    if (isLive(room, c.language)) {
      return; // it is published on another node now
    }
    outbound.webhooks().streamStopped(room.sessionId, c);
    announceStopped(room, c.language, source);
  }

  /** The other node that published a language stopped, and nobody publishes it here. */
  void remoteStopped(SessionRoom room, String language, String source) {
    if (!isLive(room, language)) {
      announceStopped(room, language, source);
    }
  }

  private void announceStopped(SessionRoom room, String language, String source) {
    JsonObject stopped = WsMessages.of(Messages.STREAM_STOPPED).put("language", language);
    for (Connection member : room.listenersOf(language)) {
      if (member.fallback && !language.equals(source)) {
        // Told once it is back on the floor audio, so that it hears every frame from then on.
        member.context.runOnContext(
            v -> {
              left(room, member);
              catchUp(member, listenerJoined(room, member, source, -1));
              member.out.skip();
              member.send(stopped.copy());
            });
      } else {
        member.send(stopped.copy());
      }
    }
    announceLive(room);
  }

  /**
   * A frame from a speaker or worker; dropped while paused, when empty, or if it is not the
   * publisher.
   */
  void publish(SessionRoom room, Connection c, Buffer payload) {
    fanout.received(payload.length());
    if (room.paused || payload.length() == 0) {
      return; // an empty frame carries no audio: it is not numbered or kept
    }
    AudioStream s = room.existingStream(c.language);
    AudioStream.Published p =
        s == null ? null : s.publish(c, payload, System.currentTimeMillis() * 1000);
    if (p != null) {
      fanout.send(p);
      broker.publish(
          new Broker.Frame(
              room.sessionId,
              p.language(),
              broker.nodeId(),
              p.seq(),
              p.durationMicros(),
              p.frame().audio()));
    }
  }

  /** The format of the stream a connection hears, or null while nobody publishes it. */
  AudioFormat formatHeard(SessionRoom room, Connection c) {
    if (c.audioLanguage == null) {
      return null;
    }
    AudioStream s = room.existingStream(c.audioLanguage);
    AudioFormat local = s == null ? null : s.format();
    return local != null ? local : remote.format(room.sessionId, c.audioLanguage);
  }

  /** The languages someone publishes in the room's session, here or on another node, sorted. */
  List<String> liveLanguages(SessionRoom room) {
    TreeSet<String> live = new TreeSet<>(room.publishedHere().keySet());
    live.addAll(remote.languages(room.sessionId));
    return List.copyOf(live);
  }

  /** Tells every listener of the room which languages are live now. */
  private void announceLive(SessionRoom room) {
    JsonObject changed =
        WsMessages.of(Messages.LIVE_LANGUAGES_CHANGED)
            .put("liveLanguages", new JsonArray(liveLanguages(room)));
    for (Connection member : room.listeners()) {
      member.send(changed.copy());
    }
  }

  /** Someone publishes {@code language}, here or on another node. */
  boolean isLive(SessionRoom room, String language) {
    AudioStream s = room.existingStream(language);
    return (s != null && s.isLive()) || remote.format(room.sessionId, language) != null;
  }

  private void subscribe(SessionRoom room, Connection c, String language, long lastSeq) {
    c.audioLanguage = language;
    List<ReplayWindow.Entry> missed = join(room, c, language, lastSeq);
    catchUp(c, new CatchUp(language, lastSeq, missed));
  }
}
