package org.pentecost.server.broadcast;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last few seconds of one stream, measured in audio time, so that a listener who refreshes or
 * reconnects gets exactly what it missed. Guarded by the owning {@link AudioStream}'s lock.
 *
 * <p>Frames are also counted: a publisher that sends frames of (almost) no audio, such as one-byte
 * PCM frames, must not grow the window without bound. It holds at most one frame per {@value
 * #MIN_FRAME_MICROS} µs of window, the shortest frame a format may declare.
 */
public final class ReplayWindow {
  static final long MIN_FRAME_MICROS = 2_000;

  private final long windowMicros;
  private final int maxFrames;
  private final ArrayDeque<Entry> frames = new ArrayDeque<>();
  private long heldMicros;

  ReplayWindow(long windowMicros) {
    this.windowMicros = windowMicros;
    this.maxFrames = (int) Math.max(16, windowMicros / MIN_FRAME_MICROS);
  }

  /** One frame, encoded for the wire, with its sequence number and duration. */
  public record Entry(long seq, long durationMicros, WireFrame frame) {}

  void add(Entry e) {
    frames.addLast(e);
    heldMicros += e.durationMicros();
    while (frames.size() > maxFrames
        || heldMicros - frames.peekFirst().durationMicros() >= windowMicros) {
      heldMicros -= frames.removeFirst().durationMicros();
    }
  }

  /**
   * The frames after {@code lastSeq}, oldest first; null when frames after it are no longer held
   * (continuity lost). An empty list means the listener is already up to date.
   */
  List<Entry> after(long lastSeq) {
    if (lastSeq > newestSeq()) {
      return null; // a sequence this stream never reached: it restarted since
    }
    Entry oldest = frames.peekFirst();
    if (oldest == null) {
      return List.of();
    }
    if (lastSeq + 1 < oldest.seq()) {
      return null;
    }
    List<Entry> missed = new ArrayList<>();
    for (Entry e : frames) {
      if (e.seq() > lastSeq) {
        missed.add(e);
      }
    }
    return missed;
  }

  /** Adds {@code more} to what is held, in sequence order, each sequence number once. */
  void merge(List<Entry> more) {
    java.util.TreeMap<Long, Entry> all = new java.util.TreeMap<>();
    for (Entry e : more) {
      all.put(e.seq(), e);
    }
    for (Entry e : frames) {
      all.put(e.seq(), e);
    }
    frames.clear();
    heldMicros = 0;
    all.values().forEach(this::add);
  }

  public long newestSeq() {
    Entry newest = frames.peekLast();
    return newest == null ? 0 : newest.seq();
  }
}
