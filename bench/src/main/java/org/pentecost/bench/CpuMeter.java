package org.pentecost.bench;

import java.io.IOException;

/** CPU time of the server (when probed) and of this generator, between two samples. */
final class CpuMeter {
  /** One reading; ticks are -1 when unknown. */
  record Sample(long nanos, long serverTicks, long selfTicks) {}

  private final ServerProbe server;
  private final long ticksPerSecond;

  CpuMeter(ServerProbe server, long ticksPerSecond) {
    this.server = server;
    this.ticksPerSecond = ticksPerSecond;
  }

  Sample sample() {
    long now = System.nanoTime();
    long serverTicks = -1;
    long selfTicks = -1;
    try {
      if (server != null) {
        serverTicks = server.cpuTicks();
      }
    } catch (IOException | RuntimeException e) {
      serverTicks = -1;
    }
    try {
      selfTicks = ProcFiles.cpuTicks("self");
    } catch (IOException | RuntimeException e) {
      selfTicks = -1;
    }
    return new Sample(now, serverTicks, selfTicks);
  }

  /** The server's average CPU between a and b, 100 = one core; NaN when unknown. */
  double serverPercent(Sample a, Sample b) {
    if (a.serverTicks() < 0 || b.serverTicks() < 0) {
      return Double.NaN;
    }
    return Report.cpuPercent(
        b.serverTicks() - a.serverTicks(), ticksPerSecond, b.nanos() - a.nanos());
  }

  /** This generator's average CPU between a and b, 100 = one core; NaN when unknown. */
  double selfPercent(Sample a, Sample b) {
    if (a.selfTicks() < 0 || b.selfTicks() < 0) {
      return Double.NaN;
    }
    return Report.cpuPercent(b.selfTicks() - a.selfTicks(), ticksPerSecond, b.nanos() - a.nanos());
  }
}
