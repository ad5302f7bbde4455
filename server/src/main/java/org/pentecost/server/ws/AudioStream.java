package org.pentecost.server.ws;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pentecost.protocol.AudioFrame;

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

  synchronized void unsubscribe(Connection c) {
    Connection[] group = audience.get(c.loop);
    if (group == null) {
      return;
    }
    Connection[] shrunk = Arrays.stream(group).filter(m -> m != c).toArray(Connection[]::new);
    if (shrunk.length == group.length) {
      return;
    }
    Map<Context, Connection[]> next = new HashMap<>(audience);
    if (shrunk.length == 0) {
      next.remove(c.loop);
    } else {
      next.put(c.loop, shrunk);
    }
    audience = next;
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
