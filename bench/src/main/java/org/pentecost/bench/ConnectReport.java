package org.pentecost.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report of a {@code connect} run: its settings, the ramp, the hold, CPU and the server's
 * memory. The settings go in first ({@link #ConnectReport}), then the run adds to {@link #json()},
 * then {@link #results} puts the figures.
 */
final class ConnectReport {

  /**
   * What the run measured: the listeners' statistics and the ramp computed from them, whether the
   * ramp finished before the deadline, the listeners still open after the hold, and the CPU samples
   * at the ramp's start and end and after the hold.
   */
  record Figures(
      ListenerStats r,
      RampStats ramped,
      boolean rampComplete,
      int held,
      CpuMeter cpu,
      CpuMeter.Sample rampStart,
      CpuMeter.Sample rampEnd,
      CpuMeter.Sample holdDone,
      double peakServerCpu) {

    /** Every listener joined and stayed. */
    boolean complete(int total) {
      return r.joined() == total && rampComplete && r.droppedWhileHeld() == 0;
    }
  }

  private final Report report = new Report();
  private final CommonOptions common;
  private final int total;

  ConnectReport(CommonOptions common, String order, List<String> args, CommonOptions.Validated v) {
    this.common = common;
    this.total = common.sessions * common.listenersPerSession;
    report
        .json()
        .put("bench", "connect")
        .put("args", new JsonArray(args))
        .put("target", v.target().httpBase())
        .put("sessions", common.sessions)
        .put("listenersPerSession", common.listenersPerSession)
        .put("listeners", total)
        .put("languages", new JsonArray(new ArrayList<>(common.languages)))
        .put("order", order)
        .put("rateLimit", common.rate)
        .put("concurrency", common.concurrency)
        .put("sourceAddresses", Math.max(1, v.sourceAddresses().size()))
        .put("eventLoops", common.eventLoops);
  }

  JsonObject json() {
    return report.json();
  }

  void print(PrintStream out) {
    report.print(out);
  }

  /** The figures, in the JSON line and the table; {@code probe} and {@code memory} may be null. */
  void results(Figures f, ServerProbe probe, ServerMemory memory) {
    ListenerStats r = f.r();
    RampStats ramped = f.ramped();
    CpuMeter cpu = f.cpu();
    boolean allJoined = r.joined() == total;
    JsonObject json = report.json();
    json.put("complete", f.complete(total))
        .put("attempted", r.attempted())
        .put("joined", r.joined())
        .put("failed", r.failed())
        .put("notJoinedAtDeadline", r.stillConnecting())
        .put("notAttempted", total - r.attempted())
        .put("timeToAllSeconds", allJoined ? Report.round(ramped.lastJoinSeconds(), 3) : null)
        .put("rampSeconds", Report.round(ramped.lastJoinSeconds(), 3))
        .put("connectionsPerSecond", Report.round(ramped.joinsPerSecond(), 1))
        .put("peakConnectionsPerSecond1s", ramped.peakJoinsPerSecond());
    RampStats.FirstSession first = ramped.firstSession();
    if (first != null) {
      json.put(
          "oneSession",
          new JsonObject()
              .put("listeners", first.listeners())
              .put("seconds", Report.round(first.seconds(), 3))
              .put("connectionsPerSecond", Report.round(first.joinsPerSecond(), 1)));
    }
    double selfPct = cpu.selfPercent(f.rampStart(), f.rampEnd());
    json.put("joinLatencyMs", Report.latencyMillis(r.joinLatencyMicros()))
        .put("failures", new JsonObject(new LinkedHashMap<>(r.failures())))
        .put("rejectionCloseCodes", new JsonObject(new LinkedHashMap<>(r.rejectionCloseCodes())))
        .put("droppedWhileHeld", r.droppedWhileHeld())
        .put("dropCloseCodes", new JsonObject(new LinkedHashMap<>(r.dropCloseCodes())))
        .put("held", f.held())
        .put("holdSeconds", Report.round(holdSeconds(f), 1))
        .put("closedCleanly", r.closedCleanly())
        .put("messagesAfterJoin", r.messagesAfterJoin())
        .put(
            "generator",
            new JsonObject()
                .put("cpuPercentRamp", Report.round(selfPct, 1))
                .put("cpuMicrosPerConnection", Report.round(perConnection(f, selfPct), 1)))
        .put(
            "machine",
            new JsonObject()
                .put("cpus", Runtime.getRuntime().availableProcessors())
                .put("otherProcessesIncludeServer", probe == null)
                .put(
                    "otherProcessesCpuPercentRamp",
                    Report.round(cpu.othersPercent(f.rampStart(), f.rampEnd()), 1))
                .put(
                    "otherProcessesCpuPercentHold",
                    Report.round(cpu.othersPercent(f.rampEnd(), f.holdDone()), 1)));
    JsonObject server = new JsonObject();
    if (probe != null) {
      server = serverJson(f, probe, memory);
      json.put("server", server);
    }
    json.put("timeline", Report.array(ramped.timeline()));

    table(f, probe, server);
    if (memory != null && !memory.histogram.isEmpty()) {
      report.section("Server class histogram after the hold (jcmd GC.class_histogram)");
      for (String line : memory.histogram) {
        report.row("", line);
      }
    }
  }

  private static JsonObject serverJson(Figures f, ServerProbe probe, ServerMemory m) {
    CpuMeter cpu = f.cpu();
    int held = f.held();
    long rssAfter = m.rssAfter2 >= 0 ? m.rssAfter2 : -1;
    double bytesPerListener =
        rssAfter >= 0 ? Report.bytesPer(m.rssBefore, rssAfter, held) : Double.NaN;
    double heapPerListener = Double.NaN;
    if (m.heapBefore.isPresent() && m.heapAfter.isPresent()) {
      heapPerListener = Report.bytesPer(m.heapBefore.getAsLong(), m.heapAfter.getAsLong(), held);
    }
    double rampPct = cpu.serverPercent(f.rampStart(), f.rampEnd());
    return new JsonObject()
        .put("pid", Long.parseLong(probe.pid()))
        .put("cpuPercentRamp", Report.round(rampPct, 1))
        .put("cpuPercentPeak1s", Report.round(f.peakServerCpu(), 1))
        .put("cpuMicrosPerConnection", Report.round(perConnection(f, rampPct), 1))
        .put("cpuPercentHold", Report.round(cpu.serverPercent(f.rampEnd(), f.holdDone()), 1))
        .put("rssBeforeBytes", m.rssBefore)
        .put(
            "rssAfterBytes",
            rssAfter >= 0 ? new JsonArray().add(m.rssAfter1).add(m.rssAfter2) : null)
        .put("rssGrowthBytes", rssAfter >= 0 ? rssAfter - m.rssBefore : null)
        .put("rssBytesPerListener", Report.round(bytesPerListener, 0))
        .put("heapUsedBeforeBytes", m.heapBefore.isPresent() ? m.heapBefore.getAsLong() : null)
        .put("heapUsedAfterBytes", m.heapAfter.isPresent() ? m.heapAfter.getAsLong() : null)
        .put("heapBytesPerListener", Report.round(heapPerListener, 0));
  }

  /** CPU microseconds per joined connection of a process at {@code pct} during the ramp. */
  private static double perConnection(Figures f, double pct) {
    return Report.microsPer(pct, f.rampStart(), f.rampEnd(), f.r().joined());
  }

  private static double holdSeconds(Figures f) {
    return (f.holdDone().nanos() - f.rampEnd().nanos()) / 1e9;
  }

  private void table(Figures f, ServerProbe probe, JsonObject server) {
    ListenerStats r = f.r();
    RampStats ramped = f.ramped();
    report.section(
        "connect: "
            + common.sessions
            + " session(s) x "
            + common.listenersPerSession
            + " listener(s), concurrency "
            + common.concurrency
            + ", rate "
            + (common.rate > 0 ? Report.num(common.rate, 0) + "/s" : "unlimited"));
    report.row("joined", Report.count(r.joined()) + " / " + Report.count(total));
    report.row(
        "connection rate",
        Report.num(ramped.joinsPerSecond(), 0)
            + " /s (peak second "
            + Report.count(ramped.peakJoinsPerSecond())
            + ")");
    RampStats.FirstSession first = ramped.firstSession();
    if (first != null) {
      report.row(
          "one session to " + first.listeners(),
          Report.num(first.seconds(), 3) + " s, " + Report.num(first.joinsPerSecond(), 0) + " /s");
    }
    report.row(
        "time to all",
        r.joined() == total ? Report.num(ramped.lastJoinSeconds(), 3) + " s" : "not reached");
    report.latencyRow("join latency ms", r.joinLatencyMicros());
    report.row("failed", Report.count(r.failed()));
    for (Map.Entry<String, Long> e : r.failures().entrySet()) {
      String sample = r.failureSamples().get(e.getKey());
      report.row(
          "  " + e.getKey(),
          Report.count(e.getValue()) + (sample == null ? "" : "  (" + abbreviate(sample) + ")"));
    }
    if (!r.rejectionCloseCodes().isEmpty()) {
      report.row("rejection close codes", r.rejectionCloseCodes().toString());
    }
    if (r.stillConnecting() > 0 || r.attempted() < total) {
      report.row(
          "not joined at deadline",
          Report.count(r.stillConnecting())
              + " in handshake, "
              + Report.count(total - r.attempted())
              + " never attempted");
    }
    report.row(
        "held idle",
        Report.count(f.held())
            + " for "
            + Report.num(holdSeconds(f), 1)
            + " s; dropped by the server "
            + r.droppedWhileHeld()
            + (r.dropCloseCodes().isEmpty() ? "" : " " + r.dropCloseCodes()));
    CpuMeter cpu = f.cpu();
    double selfPct = cpu.selfPercent(f.rampStart(), f.rampEnd());
    report.row(
        "generator CPU (ramp)",
        Report.num(selfPct, 0)
            + " % of a core, "
            + Report.num(perConnection(f, selfPct), 0)
            + " us per connection");
    double others = cpu.othersPercent(f.rampStart(), f.rampEnd());
    report.row(
        "other programs' CPU",
        Report.num(others, 0)
            + " % of a core during the ramp"
            + (probe == null
                ? " (the server included: no --server-pid)"
                : others > 10 ? "  (WARNING: a busy machine; these figures are doubtful)" : ""));
    if (probe != null) {
      serverTable(f, probe, server);
    }
  }

  private void serverTable(Figures f, ServerProbe probe, JsonObject server) {
    CpuMeter cpu = f.cpu();
    double rampPct = cpu.serverPercent(f.rampStart(), f.rampEnd());
    report.section("Server (pid " + probe.pid() + ")");
    report.row(
        "CPU during the ramp",
        Report.num(rampPct, 0)
            + " % (peak second "
            + num(server.getDouble("cpuPercentPeak1s"))
            + " %; 100 % = one core)");
    double perConn = perConnection(f, rampPct);
    report.row(
        "CPU per connection",
        Report.num(perConn, 0)
            + " us (one core would admit about "
            + Report.num(1e6 / perConn, 0)
            + " /s)");
    report.row(
        "CPU while idle", Report.num(cpu.serverPercent(f.rampEnd(), f.holdDone()), 1) + " %");
    Long before = server.getLong("rssBeforeBytes");
    Long growth = server.getLong("rssGrowthBytes");
    report.row("RSS before", before == null || before < 0 ? "n/a" : Report.bytes(before));
    report.row(
        "RSS growth",
        growth == null
            ? "n/a"
            : Report.bytes(growth) + " for " + Report.count(f.held()) + " idle listeners");
    report.row("RSS per idle listener", bytesOrNa(server.getDouble("rssBytesPerListener")));
    report.row("heap per idle listener", bytesOrNa(server.getDouble("heapBytesPerListener")));
  }

  private static String num(Double d) {
    return d == null ? "n/a" : Report.num(d, 0);
  }

  private static String bytesOrNa(Double d) {
    return d == null ? "n/a" : Report.bytes(d);
  }

  private static String abbreviate(String s) {
    String one = s.replace('\n', ' ');
    return one.length() > 100 ? one.substring(0, 100) + "..." : one;
  }
}
