package org.pentecost.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.OptionalLong;

/**
 * The server's memory for {@code connect}: a full GC, a pause for it to settle, then RSS and used
 * heap, once before the ramp and again (RSS twice, half a second apart) after the hold; optionally
 * the top of its class histogram. Unknown values are -1 or empty.
 */
final class ServerMemory {
  private static final long GC_SETTLE_MILLIS = 2_000;

  long rssBefore = -1;
  OptionalLong heapBefore = OptionalLong.empty();
  long rssAfter1 = -1;
  long rssAfter2 = -1;
  OptionalLong heapAfter = OptionalLong.empty();
  List<String> histogram = List.of();

  /** Before connecting. */
  void measureBefore(ServerProbe probe, PrintStream err) throws IOException, InterruptedException {
    Waits.log(err, "server " + probe.pid() + ": full GC, then RSS before connecting");
    probe.fullGc();
    Thread.sleep(GC_SETTLE_MILLIS);
    rssBefore = probe.rssBytes();
    heapBefore = probe.heapUsedBytes();
  }

  /**
   * After the hold, with {@code held} idle listeners; skipped when less than the settling pause and
   * 2 s are left before {@code deadline}.
   */
  void measureAfter(ServerProbe probe, int held, int histogramLines, long deadline, PrintStream err)
      throws IOException, InterruptedException {
    if (Waits.remainingMillis(deadline) <= GC_SETTLE_MILLIS + 2_000) {
      return;
    }
    Waits.log(
        err, "server " + probe.pid() + ": full GC, then RSS with " + held + " idle listeners");
    probe.fullGc();
    Thread.sleep(GC_SETTLE_MILLIS);
    rssAfter1 = probe.rssBytes();
    Thread.sleep(500);
    rssAfter2 = probe.rssBytes();
    heapAfter = probe.heapUsedBytes();
    if (histogramLines > 0) {
      histogram = probe.classHistogram(histogramLines);
    }
  }
}
