package org.pentecost.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What the listeners of one driver, or of a whole run, did: each one's start and join time
 * (nanoseconds since the ramp start, -1 = never), the join latencies, and the counts. Failures are
 * counted by key ({@code http:503}, {@code error:SESSION_FULL}, {@code close:1008}, ...) with the
 * first message seen under each key; rejections and drops by close code.
 *
 * @param stillConnecting handshakes unanswered when the bench stopped waiting
 * @param droppedWhileHeld joined listeners that the server closed
 * @param closedCleanly joined listeners that the bench closed and the server acknowledged
 * @param messagesAfterJoin text messages after sessionJoined (counted, not parsed)
 */
record ListenerStats(
    long[] startNanos,
    long[] joinNanos,
    Histogram joinLatencyMicros,
    int attempted,
    int joined,
    int failed,
    int stillConnecting,
    int droppedWhileHeld,
    int closedCleanly,
    long messagesAfterJoin,
    long exceptions,
    Map<String, Long> failures,
    Map<String, String> failureSamples,
    Map<String, Long> rejectionCloseCodes,
    Map<String, Long> dropCloseCodes) {

  /**
   * The drivers' statistics added up. Driver d of k holds the run's listeners d, d + k, d + 2k, ...
   * in that order, so its j-th time is listener d + j k's.
   */
  static ListenerStats merge(List<ListenerStats> drivers) {
    int k = drivers.size();
    int total = 0;
    for (ListenerStats s : drivers) {
      total += s.startNanos.length;
    }
    long[] starts = new long[total];
    long[] joins = new long[total];
    Histogram latency = new Histogram(3);
    int attempted = 0;
    int joined = 0;
    int failed = 0;
    int connecting = 0;
    int dropped = 0;
    int closed = 0;
    long after = 0;
    long exceptions = 0;
    Map<String, Long> failures = new TreeMap<>();
    Map<String, String> samples = new TreeMap<>();
    Map<String, Long> rejections = new TreeMap<>();
    Map<String, Long> drops = new TreeMap<>();
    for (int d = 0; d < k; d++) {
      ListenerStats s = drivers.get(d);
      for (int j = 0; j < s.startNanos.length; j++) {
        starts[d + j * k] = s.startNanos[j];
        joins[d + j * k] = s.joinNanos[j];
      }
      latency.add(s.joinLatencyMicros);
      attempted += s.attempted;
      joined += s.joined;
      failed += s.failed;
      connecting += s.stillConnecting;
      dropped += s.droppedWhileHeld;
      closed += s.closedCleanly;
      after += s.messagesAfterJoin;
      exceptions += s.exceptions;
      s.failures.forEach((key, n) -> failures.merge(key, n, Long::sum));
      s.failureSamples.forEach(samples::putIfAbsent);
      s.rejectionCloseCodes.forEach((key, n) -> rejections.merge(key, n, Long::sum));
      s.dropCloseCodes.forEach((key, n) -> drops.merge(key, n, Long::sum));
    }
    return new ListenerStats(
        starts,
        joins,
        latency,
        attempted,
        joined,
        failed,
        connecting,
        dropped,
        closed,
        after,
        exceptions,
        failures,
        samples,
        rejections,
        drops);
  }
}
