package org.pentecost.bench;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Connection rate over a ramp, from each listener's start and join times (nanoseconds since the
 * ramp start; -1 = never started / never joined).
 *
 * @param joined listeners that joined
 * @param lastJoinSeconds ramp start to the last join
 * @param joinsPerSecond joined / lastJoinSeconds
 * @param peakJoinsPerSecond the busiest whole second of the timeline
 * @param timeline joins in each second of the ramp
 * @param firstSession the first session's first {@code firstSessionTarget} joins, or null
 */
record RampStats(
    int joined,
    double lastJoinSeconds,
    double joinsPerSecond,
    long peakJoinsPerSecond,
    long[] timeline,
    FirstSession firstSession) {

  /**
   * How fast one session filled: from its first connection attempt to its n-th join.
   *
   * @param listeners n: min(target, the session's joined listeners)
   * @param seconds first attempt to the n-th join
   * @param joinsPerSecond n / seconds
   */
  record FirstSession(int listeners, double seconds, double joinsPerSecond) {}

  static RampStats compute(
      long[] startNanos, long[] joinNanos, IntPredicate inFirstSession, int firstSessionTarget) {
    int joined = 0;
    long last = 0;
    for (long j : joinNanos) {
      if (j >= 0) {
        joined++;
        last = Math.max(last, j);
      }
    }
    long[] timeline = new long[joined == 0 ? 0 : (int) (last / 1_000_000_000L) + 1];
    for (long j : joinNanos) {
      if (j >= 0) {
        timeline[(int) (j / 1_000_000_000L)]++;
      }
    }
    long peak = Arrays.stream(timeline).max().orElse(0);
    double lastSeconds = last / 1e9;

    long firstStart = Long.MAX_VALUE;
    long[] firstJoins = new long[joinNanos.length];
    int n = 0;
    for (int i = 0; i < joinNanos.length; i++) {
      if (!inFirstSession.test(i)) {
        continue;
      }
      if (startNanos[i] >= 0) {
        firstStart = Math.min(firstStart, startNanos[i]);
      }
      if (joinNanos[i] >= 0) {
        firstJoins[n++] = joinNanos[i];
      }
    }
    FirstSession first = null;
    int target = Math.min(firstSessionTarget, n);
    if (target > 0) {
      Arrays.sort(firstJoins, 0, n);
      double seconds = (firstJoins[target - 1] - firstStart) / 1e9;
      first = new FirstSession(target, seconds, rate(target, seconds));
    }
    return new RampStats(joined, lastSeconds, rate(joined, lastSeconds), peak, timeline, first);
  }

  static double rate(long count, double seconds) {
    return seconds > 0 ? count / seconds : Double.NaN;
  }
}
