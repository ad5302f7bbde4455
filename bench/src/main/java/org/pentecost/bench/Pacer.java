package org.pentecost.bench;

/**
 * When the speakers' frames are due. Speaker {@code s} of {@code n} sends frame {@code k} at {@code
 * start + phase(s) + k * interval}, for every such time before {@code end}; the phases spread the
 * sessions evenly over one interval, so that their frames do not all leave on the same tick. One
 * periodic timer per event loop asks {@link #due} and sends what is owed, so a late tick catches up
 * instead of slowing the rate.
 */
record Pacer(long startNanos, long endNanos, long intervalNanos) {

  static Pacer of(long startNanos, long sendingNanos, double framesPerSecond) {
    long interval = Math.max(1, Math.round(1e9 / framesPerSecond));
    return new Pacer(startNanos, startNanos + sendingNanos, interval);
  }

  /** The offset of speaker {@code s} of {@code n} within one interval. */
  long phase(int s, int n) {
    return intervalNanos * s / n;
  }

  /** Frames a speaker with this phase should have sent by {@code now}. */
  long due(long now, long phase) {
    long first = startNanos + phase;
    long last = Math.min(now, endNanos - 1);
    if (last < first) {
      return 0;
    }
    return (last - first) / intervalNanos + 1;
  }

  /** Every frame a speaker with this phase sends in the run. */
  long total(long phase) {
    return due(endNanos - 1, phase);
  }

  /** The timer period: the frame interval, but at least 1 ms and at most 5 ms. */
  long tickMillis() {
    return Math.max(1, Math.min(5, intervalNanos / 1_000_000));
  }
}
