package org.pentecost.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A progress line on stderr every second, from the loops' published numbers. */
final class FanoutProgress {
  private final List<FanoutLoop> loops;
  private final CpuMeter cpu;
  private final int listeners;
  private final boolean quiet;
  private final PrintStream err;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "bench-progress");
            t.setDaemon(true);
            return t;
          });
  private final long started = System.nanoTime();
  private CpuMeter.Sample last;
  private long lastDelivered;

  FanoutProgress(
      List<FanoutLoop> loops, ServerProbe probe, int listeners, boolean quiet, PrintStream err) {
    this.loops = loops;
    this.cpu = new CpuMeter(probe, ServerProbe.clockTicksPerSecond());
    this.listeners = listeners;
    this.quiet = quiet;
    this.err = err;
  }

  CpuMeter cpu() {
    return cpu;
  }

  void start() {
    last = cpu.sample();
    if (!quiet) {
      ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }
  }

  void stop() {
    ticker.shutdownNow();
  }

  private void tick() {
    int joined = 0;
    int failed = 0;
    int dropped = 0;
    long sent = 0;
    long delivered = 0;
    long lost = 0;
    for (FanoutLoop l : loops) {
      joined += l.joinedCount;
      failed += l.failedCount;
      dropped += l.droppedCount;
      sent += l.sentSeen;
      delivered += l.deliveredSeen;
      lost += l.lostSeen;
    }
    CpuMeter.Sample now = cpu.sample();
    double server = cpu.serverPercent(last, now);
    double self = cpu.selfPercent(last, now);
    double seconds = (now.nanos() - last.nanos()) / 1e9;
    last = now;
    long rate = Math.round((delivered - lastDelivered) / seconds);
    lastDelivered = delivered;
    err.println(
        String.format(
            Locale.ROOT,
            "bench: %6.1fs joined %d/%d failed %d dropped %d | sent %d measured %d (%d/s) lost %d"
                + " | CPU server %s%% generator %s%%",
            (now.nanos() - started) / 1e9,
            joined,
            listeners,
            failed,
            dropped,
            sent,
            delivered,
            rate,
            lost,
            Report.num(server, 0),
            Report.num(self, 0)));
  }
}
