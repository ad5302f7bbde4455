package org.pentecost.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A progress line on stderr every second, from the pool's and the loops' published numbers. */
final class FanoutProgress {
  private final ListenerPool pool;
  private final List<FanoutLoop> loops;
  private final CpuMeter cpu;
  private final int listeners;
  private final boolean quiet;
  private final PrintStream err;
  private final ScheduledExecutorService ticker = Waits.daemonTicker();
  private final long started = System.nanoTime();
  private CpuMeter.Sample last;
  private long lastDelivered;

  FanoutProgress(
      ListenerPool pool,
      List<FanoutLoop> loops,
      ServerProbe probe,
      int listeners,
      boolean quiet,
      PrintStream err) {
    this.pool = pool;
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
    int joined = pool.joinedCount();
    int failed = pool.failedCount();
    int dropped = pool.droppedCount();
    long sent = 0;
    long delivered = 0;
    long lost = 0;
    for (FanoutLoop l : loops) {
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
