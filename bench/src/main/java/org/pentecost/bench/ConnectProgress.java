package org.pentecost.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The ramp of {@code connect}, once a second: the server's CPU over the last second (its peak is
 * reported) and, unless quiet, a progress line on stderr from the pool's published numbers.
 */
final class ConnectProgress {
  private final ListenerPool pool;
  private final CpuMeter cpu;
  private final int listeners;
  private final boolean quiet;
  private final PrintStream err;
  private final ScheduledExecutorService ticker = Waits.daemonTicker();
  private CpuMeter.Sample rampStart;
  private CpuMeter.Sample last;
  private double peakServerCpu = Double.NaN;

  ConnectProgress(ListenerPool pool, CpuMeter cpu, int listeners, boolean quiet, PrintStream err) {
    this.pool = pool;
    this.cpu = cpu;
    this.listeners = listeners;
    this.quiet = quiet;
    this.err = err;
  }

  /** Ticks every second from {@code rampStart} on. */
  void start(CpuMeter.Sample rampStart) {
    this.rampStart = rampStart;
    this.last = rampStart;
    ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
  }

  /** No more ticks; a tick under way finishes. */
  void stop() {
    ticker.shutdown();
  }

  /** The busiest second of the server so far, 100 = one core; NaN when unknown. */
  synchronized double peakServerCpu() {
    return peakServerCpu;
  }

  private synchronized void tick() {
    CpuMeter.Sample now = cpu.sample();
    double serverPct = cpu.serverPercent(last, now);
    last = now;
    if (!Double.isNaN(serverPct)) {
      peakServerCpu = Double.isNaN(peakServerCpu) ? serverPct : Math.max(peakServerCpu, serverPct);
    }
    if (!quiet) {
      Waits.log(
          err,
          String.format(
              Locale.ROOT,
              "%6.1fs joined %d/%d failed %d in flight %d server CPU %s%%",
              (now.nanos() - rampStart.nanos()) / 1e9,
              pool.joinedCount(),
              listeners,
              pool.failedCount(),
              pool.inFlightCount(),
              Report.num(serverPct, 0)));
    }
  }
}
