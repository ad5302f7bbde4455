package org.pentecost.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one driver's listeners did so far: each one's start and join time (nanoseconds since the
 * ramp start, -1 = not yet), the join latencies, and the counts and reasons of failures, rejections
 * and drops. Written only on the driver's event loop; the volatile counts are also read by the
 * progress lines, the rest is read through {@link #snapshot} on that loop.
 */
final class ListenerTally {
  private final long[] startNanos;
  private final long[] joinNanos;
  private final Histogram latencyMicros = new Histogram(3);
  private final Map<String, Long> failures = new TreeMap<>();
  private final Map<String, String> samples = new TreeMap<>();
  private final Map<String, Long> rejections = new TreeMap<>();
  private final Map<String, Long> drops = new TreeMap<>();

  /** The ramp start, {@link System#nanoTime()}. */
  long start;

  private int closedCleanly;
  private int abandoned;
  long messagesAfterJoin;
  long exceptions;

  // Single writer (the driver's loop), read by the progress lines.
  volatile int joinedCount;
  volatile int failedCount;
  volatile int inFlightCount;
  volatile int openCount;
  volatile int droppedCount;

  ListenerTally(int count) {
    startNanos = new long[count];
    joinNanos = new long[count];
    Arrays.fill(startNanos, -1);
    Arrays.fill(joinNanos, -1);
  }

  /** Listener {@code local} starts its handshake. */
  void started(int local) {
    inFlightCount++;
    startNanos[local] = System.nanoTime() - start;
  }

  void joined(int local) {
    long now = System.nanoTime() - start;
    joinNanos[local] = now;
    latencyMicros.recordValue(Math.max(0, (now - startNanos[local]) / 1_000));
    joinedCount++;
    openCount++;
    inFlightCount--;
  }

  /**
   * A handshake failed or was refused: {@code key} counts it, {@code message} (may be null) says
   * why.
   */
  void failed(String key, String message) {
    failures.merge(key, 1L, Long::sum);
    if (message != null) {
      samples.putIfAbsent(key, message);
    }
    failedCount++;
    inFlightCount--;
  }

  /** Keeps the first {@code text} seen under {@code key}. */
  void note(String key, String text) {
    samples.putIfAbsent(key, text);
  }

  /** A rejected listener's close, by close code. */
  void rejected(String code) {
    rejections.merge(code, 1L, Long::sum);
  }

  /** A joined listener closed by the server, by close code. */
  void dropped(String code) {
    droppedCount++;
    openCount--;
    drops.merge(code, 1L, Long::sum);
  }

  void closedCleanly() {
    closedCleanly++;
    openCount--;
  }

  /** The bench's close of a joined listener failed: it was gone already. */
  void closeFailed() {
    openCount--;
  }

  /** A listener still in its handshake when the bench closed everything. */
  void abandoned() {
    abandoned++;
    inFlightCount--;
  }

  /** A copy, with {@code attempted} handshakes started and {@code connecting} still unanswered. */
  ListenerStats snapshot(int attempted, int connecting) {
    return new ListenerStats(
        startNanos.clone(),
        joinNanos.clone(),
        latencyMicros.copy(),
        attempted,
        joinedCount,
        failedCount,
        abandoned + connecting,
        droppedCount,
        closedCleanly,
        messagesAfterJoin,
        exceptions,
        new TreeMap<>(failures),
        new TreeMap<>(samples),
        new TreeMap<>(rejections),
        new TreeMap<>(drops));
  }
}
