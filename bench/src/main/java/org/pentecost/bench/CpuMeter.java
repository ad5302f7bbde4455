package org.pentecost.bench;

import java.io.IOException;

/** CPU time of the server (when probed) and of this generator, between two samples. */
final class CpuMeter {
  /**
   * One reading; ticks are -1 when unknown. The user-mode ticks (of the server, of this process and
   * of the whole machine) tell how much CPU other programs took meanwhile.
   */
  record Sample(
      long nanos,
      long serverTicks,
      long selfTicks,
      long serverUserTicks,
      long selfUserTicks,
      long machineUserTicks) {}

  private final ServerProbe server;
  private final long ticksPerSecond;

  CpuMeter(ServerProbe server, long ticksPerSecond) {
    this.server = server;
    this.ticksPerSecond = ticksPerSecond;
  }

  Sample sample() {
    long now = System.nanoTime();
    long serverTicks = -1;
    long serverUser = -1;
    long selfTicks = -1;
    long selfUser = -1;
    long machineUser = -1;
    try {
      if (server != null) {
        serverTicks = server.cpuTicks();
        serverUser = ProcFiles.userTicks(server.pid());
      }
    } catch (IOException | RuntimeException e) {
      serverTicks = -1;
      serverUser = -1;
    }
    try {
      selfTicks = ProcFiles.cpuTicks("self");
      selfUser = ProcFiles.userTicks("self");
      machineUser = ProcFiles.machineUserTicks();
    } catch (IOException | RuntimeException e) {
      selfTicks = -1;
      selfUser = -1;
      machineUser = -1;
    }
    return new Sample(now, serverTicks, selfTicks, serverUser, selfUser, machineUser);
  }

  /**
   * User-mode CPU of every other program between a and b (100 = one core): the machine's, minus the
   * server's (when probed) and this generator's. Kernel time is left out: loopback networking for
   * the benchmark itself shows up there. A busy machine makes every figure of the run doubtful.
   */
  double othersPercent(Sample a, Sample b) {
    if (a.machineUserTicks() < 0 || b.machineUserTicks() < 0 || a.selfUserTicks() < 0) {
      return Double.NaN;
    }
    long others =
        (b.machineUserTicks() - a.machineUserTicks()) - (b.selfUserTicks() - a.selfUserTicks());
    if (a.serverUserTicks() >= 0 && b.serverUserTicks() >= 0) {
      others -= b.serverUserTicks() - a.serverUserTicks();
    }
    return Report.cpuPercent(Math.max(0, others), ticksPerSecond, b.nanos() - a.nanos());
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
