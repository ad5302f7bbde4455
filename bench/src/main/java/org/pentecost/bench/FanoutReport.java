package org.pentecost.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The report of a {@code fanout} run: its settings, the merged numbers, CPU and memory. */
final class FanoutReport {
  private FanoutReport() {}

  static Report build(
      FanoutOptions o,
      List<String> args,
      FanoutResult r,
      CommonOptions.Validated v,
      List<Target> listenerTargets,
      ServerProbe probe,
      CpuMeter cpu,
      CpuMeter.Sample a,
      CpuMeter.Sample b,
      long rss) {
    int listeners = o.sessions * o.listenersPerSession;
    // Frames are measured by their send time, so rates are per the configured window; the CPU
    // samples are only as punctual as this thread's wake-ups.
    double seconds = o.duration.toNanos() / 1e9;
    Report report = new Report();
    JsonObject json = report.json();
    json.put("bench", "fanout")
        .put("args", new JsonArray(args))
        .put("target", v.target().httpBase())
        .put("listenerTargets", new JsonArray(urls(listenerTargets)))
        .put("sessions", o.sessions)
        .put("listenersPerSession", o.listenersPerSession)
        .put("listeners", listeners)
        .put("languages", new JsonArray(new ArrayList<>(o.languages)))
        .put("frameBytes", o.frameBytes)
        .put("rate", o.rate)
        .put("frameMs", o.effectiveFrameMs())
        .put("warmupSeconds", o.warmup.toMillis() / 1000.0)
        .put("durationSeconds", Report.round(seconds, 3))
        .put("eventLoops", o.eventLoops)
        .put("sourceAddresses", Math.max(1, v.sourceAddresses().size()))
        .put("complete", r.clean(listeners))
        .mergeIn(r.json(seconds, o.sessions, o.rate))
        .put(
            "byListenerTarget",
            r.byTargetJson(
                seconds, urls(listenerTargets), planned(listeners, listenerTargets, o.eventLoops)));
    double self = cpu.selfPercent(a, b);
    long delivered = r.counters().delivered;
    json.put(
        "generator",
        new JsonObject()
            .put("cpuPercent", Report.round(self, 1))
            .put("cpuMicrosPerDelivery", Report.round(Report.microsPer(self, a, b, delivered), 2)));
    int cpus = Runtime.getRuntime().availableProcessors();
    double load = loadAverage();
    json.put(
        "machine", new JsonObject().put("cpus", cpus).put("loadAverage1m", Report.round(load, 2)));
    report.section(
        String.format(
            Locale.ROOT,
            "fanout: %d session(s) x %d listener(s), %d-byte frames at %s/s per session, %s s"
                + " measured after %s s warm-up",
            o.sessions,
            o.listenersPerSession,
            o.frameBytes,
            Report.num(o.rate, 0),
            Report.num(seconds, 1),
            Report.num(o.warmup.toMillis() / 1000.0, 1)));
    r.table(report, seconds, o.sessions, listeners);
    if (listenerTargets.size() > 1) {
      JsonArray per = json.getJsonArray("byListenerTarget");
      for (int t = 0; t < per.size(); t++) {
        JsonObject p = per.getJsonObject(t);
        JsonObject lat = p.getJsonObject("latencyMs");
        report.row(
            "listeners on " + p.getString("url"),
            Report.count(p.getLong("joined"))
                + " joined, "
                + Report.num(p.getDouble("deliveriesPerSecond"), 0)
                + " deliveries/s, lost "
                + Report.count(p.getLong("lost"))
                + ", missing "
                + Report.count(p.getLong("missing"))
                + (lat.containsKey("p50")
                    ? ", p50 "
                        + lat.getDouble("p50")
                        + "  p99 "
                        + lat.getDouble("p99")
                        + "  p99.9 "
                        + lat.getDouble("p999")
                        + " ms"
                    : ""));
      }
    }
    report.row(
        "generator CPU",
        Report.num(self, 0)
            + " % of a core, "
            + Report.num(Report.microsPer(self, a, b, delivered), 1)
            + " us per delivery");
    report.row(
        "machine",
        cpus
            + " CPUs, load average "
            + Report.num(load, 1)
            + (load > cpus ? " (more runnable threads than CPUs: latencies include waiting)" : ""));
    if (probe != null) {
      double server = cpu.serverPercent(a, b);
      json.put(
          "server",
          new JsonObject()
              .put("pid", Long.parseLong(probe.pid()))
              .put("cpuPercent", Report.round(server, 1))
              .put(
                  "cpuMicrosPerDelivery",
                  Report.round(Report.microsPer(server, a, b, delivered), 2))
              .put("rssBytes", rss));
      report.section("Server (pid " + probe.pid() + ")");
      report.row(
          "CPU while measuring",
          Report.num(server, 0)
              + " % (100 % = one core), "
              + Report.num(Report.microsPer(server, a, b, delivered), 1)
              + " us per delivery");
      report.row("RSS at the end", rss < 0 ? "n/a" : Report.bytes(rss));
    }
    return report;
  }

  private static List<String> urls(List<Target> targets) {
    List<String> urls = new ArrayList<>();
    for (Target t : targets) {
      urls.add(t.httpBase());
    }
    return urls;
  }

  /** Listeners planned on each target: the round-robin of {@link FanoutOptions#targetOf}. */
  static int[] planned(int listeners, List<Target> targets, int eventLoops) {
    int[] n = new int[targets.size()];
    for (int i = 0; i < listeners; i++) {
      n[FanoutOptions.targetOf(i, targets.size(), eventLoops)]++;
    }
    return n;
  }

  /** The 1-minute load average from {@code /proc/loadavg}, NaN where there is none. */
  static double loadAverage() {
    try {
      String text = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII);
      return Double.parseDouble(text.trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
