package org.pentecost.server.broadcast;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pentecost.protocol.AudioFrame;

/**
 * One language's stream in one session on this node: its publisher, its sequence numbers, its
 * replay window and its audience. Every field is guarded by {@code this}; the work of writing to
 * sockets is done outside the lock, by {@link Fanout}. The publisher is any object that stands for
 * the connection publishing (identity is all that counts); the audience is the listeners' {@link
 * AudioOut}s.
 *
 * <p>Because a frame is numbered, kept and handed to the audience in one step, and a new member
 * joins the audience and reads the window in one step, a joining listener gets each frame exactly
 * once: either from the window or live.
 */
public final class AudioStream {
  public final String language;
  private final ReplayWindow window;
  private Object publisher;
  private AudioFormat format;
  private long seq;

  /** The members by event loop, in the order they joined; changed in place. */
  private final Map<Context, ArrayList<AudioOut>> members = new HashMap<>(4);

  /**
   * The audience as frames see it: a snapshot of {@link #members} by event loop, never mutated once
   * handed out; null when the members changed since the last one was made. It is made again only
   * when a frame needs it, so a join storm copies no arrays (one copy per frame at most, whatever
   * the number of joins in between).
   */
  private Map<Context, AudioOut[]> audience = Map.of();

  public AudioStream(String language, long windowMicros) {
    this.language = language;
    this.window = new ReplayWindow(windowMicros);
  }

  /** A numbered frame and the audience it goes to. */
  public record Published(
      String language,
      long seq,
      long durationMicros,
      WireFrame frame,
      Map<Context, AudioOut[]> audience,
      long receivedNanos) {}

  /** A frame numbered elsewhere (another node): its number, duration and audio frame bytes. */
  public record Numbered(long seq, long durationMicros, Buffer audio) {}

  /** Numbers and keeps a frame from {@code from}; null if {@code from} is not the publisher. */
  public synchronized Published publish(Object from, Buffer payload, long nowMicros) {
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
    return new Published(language, n, duration, frame, audience(), received);
  }

  /** The audience now, as an immutable snapshot (made again after a change). */
  private Map<Context, AudioOut[]> audience() {
    Map<Context, AudioOut[]> a = audience;
    if (a == null) {
      Map<Context, AudioOut[]> made = new HashMap<>(members.size() * 2);
      members.forEach((loop, list) -> made.put(loop, list.toArray(new AudioOut[0])));
      audience = a = made;
    }
    return a;
  }

  /**
   * Adds a member; returns the frames it missed after {@code lastSeq} (empty when it is up to date
   * or asked for none), or null when they are no longer held.
   */
  public synchronized List<ReplayWindow.Entry> subscribe(AudioOut c, long lastSeq) {
    members.computeIfAbsent(c.loop(), loop -> new ArrayList<>()).add(c);
    audience = null;
    return lastSeq < 0 ? List.of() : window.after(lastSeq);
  }

  /** Removes a member; true if it was one. */
  public synchronized boolean unsubscribe(AudioOut c) {
    ArrayList<AudioOut> group = members.get(c.loop());
    int at = -1;
    for (int i = group == null ? 0 : group.size() - 1; i >= 0; i--) {
      if (group.get(i) == c) { // identity, as a snapshot's members are compared
        at = i;
        break;
      }
    }
    if (at < 0) {
      return false;
    }
    group.remove(at);
    if (group.isEmpty()) {
      members.remove(c.loop());
    }
    audience = null;
    return true;
  }

  /**
   * A frame numbered on another node: kept and handed to the audience like a local one, with its
   * own sequence number; null if this stream already holds that number or a later one.
   */
  public synchronized Published received(long n, long durationMicros, Buffer audio) {
    long received = System.nanoTime();
    if (n <= seq) {
      return null;
    }
    seq = n;
    WireFrame frame = wire(audio);
    window.add(new ReplayWindow.Entry(n, durationMicros, frame));
    return new Published(language, n, durationMicros, frame, audience(), received);
  }

  /**
   * Adds frames of the shared window that this node does not hold (a listener resumes here on a
   * stream this node has not heard from the start): the older ones to the window only; the ones
   * newer than any this node has had are returned, to be received like frames from pub/sub (this
   * node's listeners have not had them either: they must not be skipped).
   */
  public synchronized <F> List<F> merge(
      List<F> frames, java.util.function.Function<F, Numbered> numbered) {
    List<ReplayWindow.Entry> entries = new java.util.ArrayList<>();
    List<F> newer = new java.util.ArrayList<>();
    for (F frame : frames) {
      Numbered f = numbered.apply(frame);
      if (f.seq() <= seq) {
        entries.add(new ReplayWindow.Entry(f.seq(), f.durationMicros(), wire(f.audio())));
      } else {
        newer.add(frame);
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
  public synchronized Object publisher(Object c, AudioFormat f) {
    Object previous = publisher;
    publisher = c;
    format = f;
    return previous;
  }

  /** Clears the publisher if it is still {@code c}; true if it was. */
  public synchronized boolean publisherLeft(Object c) {
    if (publisher != c) {
      return false;
    }
    publisher = null;
    return true;
  }

  /** What stands for the connection publishing here, or null. */
  public synchronized Object publisherConnection() {
    return publisher;
  }

  public synchronized boolean isLive() {
    return publisher != null;
  }

  /** The format while someone publishes, else null. */
  /** The stream's newest sequence number: how many frames it has carried (0: none yet). */
  public synchronized long lastSeq() {
    return seq;
  }

  public synchronized AudioFormat format() {
    return publisher == null ? null : format;
  }

  public synchronized boolean isEmpty() {
    return publisher == null && members.isEmpty();
  }
}
