package org.pentecost.server.ws;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.pentecost.protocol.Messages;

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

  AudioRouting(Fanout fanout, long windowMicros) {
    this.fanout = fanout;
    this.windowMicros = windowMicros;
  }

  /**
   * A listener joins its stream (on its own loop); {@code lastSeq} < 0 when it has nothing to
   * resume. Returns what to send it once it has been told it joined: call {@link #catchUp} right
   * after, in the same turn of its event loop, so that nothing published meanwhile is missed and
   * nothing overtakes the replay.
   */
  CatchUp listenerJoined(SessionRoom room, Connection c, String source, long lastSeq) {
    AudioStream target = room.stream(c.language, windowMicros);
    boolean useSource = !target.isLive() && c.fallback && !c.language.equals(source);
    String language = useSource ? source : c.language;
    c.audioLanguage = language;
    return new CatchUp(
        language, lastSeq, room.stream(language, windowMicros).subscribe(c, lastSeq));
  }

  /** The frames a joining listener missed (null: too old, it joins live). */
  record CatchUp(String language, long lastSeq, List<ReplayWindow.Entry> missed) {}

  void catchUp(Connection c, CatchUp catchUp) {
    if (catchUp.missed() == null) {
      c.send(
          WsMessages.of(Messages.CONTINUITY_LOST)
              .put("language", catchUp.language())
              .put("lastSeq", catchUp.lastSeq()));
      Fanout.discontinuity(c);
    } else {
      fanout.replay(c, catchUp.missed());
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
      if (s != null) {
        s.unsubscribe(c);
      }
    }
  }

  /** A listener switched its target language (on its own loop): it joins the new stream live. */
  void switched(SessionRoom room, Connection c, String source) {
    left(room, c);
    catchUp(c, listenerJoined(room, c, source, -1));
    Fanout.discontinuity(c);
  }

  /** A speaker or worker became its language's publisher. */
  void publisherJoined(SessionRoom room, Connection c) {
    AudioStream s = room.stream(c.language, windowMicros);
    Connection previous = s.publisher(c, c.format);
    if (previous != null && c.format.equals(previous.format)) {
      return; // a refresh or takeover: the stream goes on, listeners notice nothing
    }
    // A new stream, or one whose new publisher encodes it differently: its listeners must know.
    JsonObject started =
        WsMessages.of(Messages.STREAM_STARTED)
            .put("language", c.language)
            .put("audio", c.format.toJson());
    for (Connection member : room.all()) {
      if (member == c) {
        continue;
      }
      boolean hearsIt = c.language.equals(member.audioLanguage);
      boolean wantsIt = member.role == Role.LISTENER && c.language.equals(member.language);
      if (wantsIt && !hearsIt && member.audioLanguage != null) {
        // A fallback listener moves from the floor audio to its own language, live.
        member.context.runOnContext(
            v -> {
              left(room, member);
              subscribe(room, member, c.language, -1);
              Fanout.discontinuity(member);
              member.send(started.copy());
            });
      } else if (hearsIt || wantsIt) {
        member.send(started.copy());
      }
    }
  }

  /** A publisher's connection went away: its listeners hear silence, or the floor again. */
  void publisherLeft(SessionRoom room, Connection c, String source) {
    AudioStream s = room.existingStream(c.language);
    if (s == null || !s.publisherLeft(c)) {
      return;
    }
    JsonObject stopped = WsMessages.of(Messages.STREAM_STOPPED).put("language", c.language);
    for (Connection member : room.listenersOf(c.language)) {
      if (member.fallback && !c.language.equals(source)) {
        // Told once it is back on the floor audio, so that it hears every frame from then on.
        member.context.runOnContext(
            v -> {
              left(room, member);
              catchUp(member, listenerJoined(room, member, source, -1));
              Fanout.discontinuity(member);
              member.send(stopped.copy());
            });
      } else {
        member.send(stopped.copy());
      }
    }
  }

  /** A frame from a speaker or worker; dropped while paused or if it is not the publisher. */
  void publish(SessionRoom room, Connection c, Buffer payload) {
    fanout.received(payload.length());
    if (room.paused) {
      return;
    }
    AudioStream s = room.existingStream(c.language);
    AudioStream.Published p =
        s == null ? null : s.publish(c, payload, System.currentTimeMillis() * 1000);
    if (p != null) {
      fanout.send(p);
    }
  }

  /** The format of the stream a connection hears, or null while nobody publishes it. */
  AudioFormat formatHeard(SessionRoom room, Connection c) {
    AudioStream s = c.audioLanguage == null ? null : room.existingStream(c.audioLanguage);
    return s == null ? null : s.format();
  }

  boolean isLive(SessionRoom room, String language) {
    AudioStream s = room.existingStream(language);
    return s != null && s.isLive();
  }

  private void subscribe(SessionRoom room, Connection c, String language, long lastSeq) {
    c.audioLanguage = language;
    List<ReplayWindow.Entry> missed = room.stream(language, windowMicros).subscribe(c, lastSeq);
    catchUp(c, new CatchUp(language, lastSeq, missed));
  }
}
