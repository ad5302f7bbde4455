package org.pentecost.server.ws;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pentecost.protocol.AudioFrame;
import org.pentecost.server.cluster.Broker;

/**
 * One language's stream in one session on this node: its publisher, its sequence numbers, its
 * replay window and its audience. Every field is guarded by {@code this}; the work of writing to
 * sockets is done outside the lock, by {@link Fanout}.
 *
 * <p>Because a frame is numbered, kept and handed to the audience in one step, and a new member
 * joins the audience and reads the window in one step, a joining listener gets each frame exactly
 * once: either from the window or live.
 */
final class AudioStream {
  final String language;
  private final ReplayWindow window;
  private Connection publisher;
  private AudioFormat format;
  private long seq;

  /** The audience by event loop, replaced (never mutated) on every change. */
  private Map<Context, Connection[]> audience = Map.of();

  AudioStream(String language, long windowMicros) {
    this.language = language;
    this.window = new ReplayWindow(windowMicros);
  }

  /** A numbered frame and the audience it goes to. */
  record Published(
      String language,
      long seq,
      long durationMicros,
      WireFrame frame,
      Map<Context, Connection[]> audience,
      long receivedNanos) {}

  /** Numbers and keeps a frame from {@code from}; null if {@code from} is not the publisher. */
  synchronized Published publish(Connection from, Buffer payload, long nowMicros) {
    long received = System.nanoTime();
    if (from != publisher) {
      return null;
    }
    long n = ++seq;
    byte[] header = new byte[AudioFrame.HEADER_BYTES];
    AudioFrame.writeHeader(header, 0, language, n, nowMicros);
    WireFrame frame = WireFrame.encode(header, payload);
    long duration = format.durationMicros(payload.length());
    window.add(new ReplayWindow.Entry(n, duration, frame));
    return new Published(language, n, duration, frame, audience, received);
  }

  /**
   * Adds a member; returns the frames it missed after {@code lastSeq} (empty when it is up to date
   * or asked for none), or null when they are no longer held.
   */
  synchronized List<ReplayWindow.Entry> subscribe(Connection c, long lastSeq) {
    Map<Context, Connection[]> next = new HashMap<>(audience);
    Connection[] group = next.getOrDefault(c.loop, new Connection[0]);
    Connection[] grown = Arrays.copyOf(group, group.length + 1);
    grown[group.length] = c;
    next.put(c.loop, grown);
    audience = next;
    return lastSeq < 0 ? List.of() : window.after(lastSeq);
  }

  /** Removes a member; true if it was one. */
  synchronized boolean unsubscribe(Connection c) {
    Connection[] group = audience.get(c.loop);
    if (group == null) {
      return false;
    }
    Connection[] shrunk = Arrays.stream(group).filter(m -> m != c).toArray(Connection[]::new);
    if (shrunk.length == group.length) {
      return false;
    }
    Map<Context, Connection[]> next = new HashMap<>(audience);
    if (shrunk.length == 0) {
      next.remove(c.loop);
    } else {
      next.put(c.loop, shrunk);
    }
    audience = next;
    return true;
  }

  /**
   * A frame numbered on another node: kept and handed to the audience like a local one, with its
   * own sequence number; null if this stream already holds that number or a later one.
   */
  synchronized Published received(long n, long durationMicros, Buffer audio) {
    long received = System.nanoTime();
    if (n <= seq) {
      return null;
    }
    seq = n;
    WireFrame frame = wire(audio);
    window.add(new ReplayWindow.Entry(n, durationMicros, frame));
    return new Published(language, n, durationMicros, frame, audience, received);
  }

  /**
   * Adds frames of the shared window that this node does not hold (a listener resumes here on a
   * stream this node has not heard from the start): the older ones to the window only; the ones
   * newer than any this node has had are returned, to be received like frames from pub/sub (this
   * node's listeners have not had them either: they must not be skipped).
   */
  synchronized List<Broker.Frame> merge(List<Broker.Frame> frames) {
    List<ReplayWindow.Entry> entries = new java.util.ArrayList<>();
    List<Broker.Frame> newer = new java.util.ArrayList<>();
    for (Broker.Frame f : frames) {
      if (f.seq() <= seq) {
        entries.add(new ReplayWindow.Entry(f.seq(), f.durationMicros(), wire(f.audio())));
      } else {
        newer.add(f);
      }
    }
    window.merge(entries);
    return newer;
  }

  private static WireFrame wire(Buffer audio) {
    return WireFrame.encode(
        audio.getBytes(0, AudioFrame.HEADER_BYTES),
        audio.getBuffer(AudioFrame.HEADER_BYTES, audio.length()));
  }

  /** Makes {@code c} the publisher; returns the one it replaces, or null. */
  synchronized Connection publisher(Connection c, AudioFormat f) {
    Connection previous = publisher;
    publisher = c;
    format = f;
    return previous;
  }

  /** Clears the publisher if it is still {@code c}; true if it was. */
  synchronized boolean publisherLeft(Connection c) {
    if (publisher != c) {
      return false;
    }
    publisher = null;
    return true;
  }

  /** The connection publishing here, or null. */
  synchronized Connection publisherConnection() {
    return publisher;
  }

  synchronized boolean isLive() {
    return publisher != null;
  }

  /** The format while someone publishes, else null. */
  synchronized AudioFormat format() {
    return publisher == null ? null : format;
  }

  synchronized boolean isEmpty() {
    return publisher == null && audience.isEmpty();
  }
}
