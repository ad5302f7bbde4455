package org.pentecost.bench;

import org.HdrHistogram.Histogram;

/**
 * What the listeners of one event loop received. Confined to that loop's thread while the run goes;
 * {@link #copy()} is taken there and {@link #add} merges the copies afterwards.
 *
 * <p>A frame counts as measured when its send time (the payload's first 8 bytes) lies in the
 * window; only measured frames feed the latency histogram and {@link #delivered}, so the warm-up
 * and the frames still in flight at the start do not skew either.
 */
final class FanoutCounters {
  /** The measured window, in {@link System#nanoTime()}; nothing is measured until it is set. */
  long windowStart = Long.MAX_VALUE;

  long windowEnd = Long.MAX_VALUE;

  /** Every binary frame received, measured or not, duplicates included. */
  long received;

  /** Measured frames received for the first time. */
  long delivered;

  /** Frames missing between two received ones (a gap without DISCONTINUITY). */
  long lost;

  /** Frames received twice in a row (the same sequence again). */
  long duplicated;

  /** Frames older than one already received (but not the same). */
  long outOfOrder;

  /** Frames the server skipped on purpose (a gap announced by DISCONTINUITY). */
  long skipped;

  long discontinuities;

  /** Binary frames too short to hold the header and the send time. */
  long malformed;

  /** Text messages after sessionJoined (counted, not parsed). */
  long textMessages;

  /** Receive time minus send time of measured frames, in microseconds. */
  final Histogram latencyMicros = new Histogram(3);

  /**
   * One frame for a listener whose last sequence is {@code last} (0 before its first frame);
   * returns the listener's new last sequence.
   */
  long frame(long last, int flags, long seq, long sentNanos, long nowNanos) {
    received++;
    boolean fresh;
    if (last == 0 || seq == last + 1) {
      fresh = true;
    } else if (seq > last) {
      long missing = seq - last - 1;
      if ((flags & org.pentecost.protocol.AudioFrame.FLAG_DISCONTINUITY) != 0) {
        skipped += missing;
        discontinuities++;
      } else {
        lost += missing;
      }
      fresh = true;
    } else {
      if (seq == last) {
        duplicated++;
      } else {
        outOfOrder++;
      }
      fresh = false;
    }
    if (!fresh) {
      return last;
    }
    if (sentNanos >= windowStart && sentNanos < windowEnd) {
      delivered++;
      latencyMicros.recordValue(Math.max(0, (nowNanos - sentNanos) / 1_000));
    }
    return seq;
  }

  FanoutCounters copy() {
    FanoutCounters c = new FanoutCounters();
    c.windowStart = windowStart;
    c.windowEnd = windowEnd;
    c.add(this);
    return c;
  }

  void add(FanoutCounters o) {
    received += o.received;
    delivered += o.delivered;
    lost += o.lost;
    duplicated += o.duplicated;
    outOfOrder += o.outOfOrder;
    skipped += o.skipped;
    discontinuities += o.discontinuities;
    malformed += o.malformed;
    textMessages += o.textMessages;
    latencyMicros.add(o.latencyMicros);
  }
}
