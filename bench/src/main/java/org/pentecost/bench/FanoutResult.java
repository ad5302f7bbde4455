package org.pentecost.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The event loops' numbers merged, and what follows from them. Expected deliveries are the frames
 * each speaker sent in the window times the listeners of its session that joined; a listener that
 * left early therefore shows as missing deliveries, which is what its user would have heard. The
 * same figures exist per listener target ({@code --listener-url}): {@link #byTarget} and {@link
 * #joinedByTarget} (target, then session).
 */
record FanoutResult(
    FanoutCounters counters,
    int[] joinedPerSession,
    long[] sent,
    long[] sentInWindow,
    int attempted,
    int failed,
    int dropped,
    Map<String, Long> failures,
    Map<String, String> samples,
    Map<String, Long> drops,
    JsonArray speakers,
    Histogram sendLagMicros,
    FanoutCounters[] byTarget,
    int[][] joinedByTarget) {

  static FanoutResult merge(List<FanoutLoop.Result> loops, int sessions) {
    FanoutCounters counters = new FanoutCounters();
    int[] joined = new int[sessions];
    long[] sent = new long[sessions];
    long[] inWindow = new long[sessions];
    int attempted = 0;
    int failed = 0;
    int dropped = 0;
    Map<String, Long> failures = new TreeMap<>();
    Map<String, String> samples = new TreeMap<>();
    Map<String, Long> drops = new TreeMap<>();
    JsonArray speakers = new JsonArray();
    Histogram lag = new Histogram(3);
    int targets = loops.isEmpty() ? 1 : loops.get(0).byTarget().length;
    FanoutCounters[] byTarget = new FanoutCounters[targets];
    for (int t = 0; t < targets; t++) {
      byTarget[t] = new FanoutCounters();
    }
    int[][] joinedByTarget = new int[targets][sessions];
    for (FanoutLoop.Result r : loops) {
      counters.add(r.counters());
      for (int t = 0; t < targets; t++) {
        byTarget[t].add(r.byTarget()[t]);
        for (int s = 0; s < sessions; s++) {
          joinedByTarget[t][s] += r.joinedByTarget()[t][s];
        }
      }
      for (int s = 0; s < sessions; s++) {
        joined[s] += r.joinedPerSession()[s];
        sent[s] += r.sent()[s];
        inWindow[s] += r.sentInWindow()[s];
      }
      attempted += r.attempted();
      failed += r.failed();
      dropped += r.dropped();
      r.failures().forEach((k, v) -> failures.merge(k, v, Long::sum));
      r.samples().forEach(samples::putIfAbsent);
      r.drops().forEach((k, v) -> drops.merge(k, v, Long::sum));
      speakers.add(r.speakers());
      lag.add(r.sendLagMicros());
    }
    return new FanoutResult(
        counters,
        joined,
        sent,
        inWindow,
        attempted,
        failed,
        dropped,
        failures,
        samples,
        drops,
        speakers,
        lag,
        byTarget,
        joinedByTarget);
  }

  int joined() {
    int n = 0;
    for (int j : joinedPerSession) {
      n += j;
    }
    return n;
  }

  long framesSentInWindow() {
    long n = 0;
    for (long s : sentInWindow) {
      n += s;
    }
    return n;
  }

  /** Deliveries owed for the window: each measured frame to each joined listener of its session. */
  long expectedDeliveries() {
    long n = 0;
    for (int s = 0; s < sentInWindow.length; s++) {
      n += sentInWindow[s] * joinedPerSession[s];
    }
    return n;
  }

  /** Deliveries owed for the window to the listeners of target {@code t}. */
  long expectedDeliveries(int t) {
    long n = 0;
    for (int s = 0; s < sentInWindow.length; s++) {
      n += sentInWindow[s] * joinedByTarget[t][s];
    }
    return n;
  }

  /**
   * Per listener target, in the order of {@code urls}: the listeners planned and joined there,
   * deliveries against those owed, loss and latency.
   */
  JsonArray byTargetJson(double windowSeconds, List<String> urls, int[] planned) {
    JsonArray all = new JsonArray();
    for (int t = 0; t < byTarget.length; t++) {
      FanoutCounters c = byTarget[t];
      int joined = 0;
      for (int j : joinedByTarget[t]) {
        joined += j;
      }
      long expected = expectedDeliveries(t);
      all.add(
          new JsonObject()
              .put("url", t < urls.size() ? urls.get(t) : null)
              .put("listeners", t < planned.length ? planned[t] : null)
              .put("joined", joined)
              .put("expectedDeliveries", expected)
              .put("delivered", c.delivered)
              .put("deliveriesPerSecond", Report.round(c.delivered / windowSeconds, 1))
              .put("missing", Math.max(0, expected - c.delivered))
              .put("lost", c.lost)
              .put("duplicated", c.duplicated)
              .put("outOfOrder", c.outOfOrder)
              .put("skippedByServer", c.skipped)
              .put("latencyMs", Report.latencyMillis(c.latencyMicros)));
    }
    return all;
  }

  /** Owed deliveries that never arrived (lost at the tail, with a dropped listener, ...). */
  long missing() {
    return Math.max(0, expectedDeliveries() - counters.delivered);
  }

  /** No listener failed or dropped, nothing was lost, duplicated or reordered. */
  boolean clean(int listeners) {
    return joined() == listeners
        && dropped == 0
        && missing() == 0
        && counters.lost == 0
        && counters.duplicated == 0
        && counters.outOfOrder == 0
        && counters.malformed == 0;
  }

  JsonObject json(double windowSeconds, int sessions, double rate) {
    FanoutCounters c = counters;
    return new JsonObject()
        .put("joined", joined())
        .put("failed", failed)
        .put("failures", new JsonObject(new java.util.LinkedHashMap<>(failures)))
        .put("framesSent", framesSentInWindow())
        .put(
            "framesPerSecondPerSession",
            Report.round(framesSentInWindow() / windowSeconds / sessions, 1))
        .put("framesPerSecondPerSessionRequested", rate)
        .put("expectedDeliveries", expectedDeliveries())
        .put("delivered", c.delivered)
        .put("deliveriesPerSecond", Report.round(c.delivered / windowSeconds, 1))
        .put("expectedDeliveriesPerSecond", Report.round(expectedDeliveries() / windowSeconds, 1))
        .put("missing", missing())
        .put("lost", c.lost)
        .put("duplicated", c.duplicated)
        .put("outOfOrder", c.outOfOrder)
        .put("skippedByServer", c.skipped)
        .put("discontinuities", c.discontinuities)
        .put("malformed", c.malformed)
        .put("framesReceived", c.received)
        .put("textMessagesAfterJoin", c.textMessages)
        .put("listenersDropped", dropped)
        .put("dropCloseCodes", new JsonObject(new java.util.LinkedHashMap<>(drops)))
        .put("latencyMs", Report.latencyMillis(c.latencyMicros))
        .put("speakers", speakers)
        .put("sendLagMs", Report.latencyMillis(sendLagMicros));
  }

  /** The readable rows of the report. */
  void table(Report report, double windowSeconds, int sessions, int listeners) {
    FanoutCounters c = counters;
    report.row("listeners joined", Report.count(joined()) + " / " + Report.count(listeners));
    for (Map.Entry<String, Long> e : failures.entrySet()) {
      String sample = samples.get(e.getKey());
      report.row(
          "  " + e.getKey(),
          Report.count(e.getValue()) + (sample == null ? "" : "  (" + sample + ")"));
    }
    report.row(
        "frames sent",
        Report.count(framesSentInWindow())
            + " ("
            + Report.num(framesSentInWindow() / windowSeconds / sessions, 1)
            + " /s per session)");
    report.row(
        "deliveries",
        Report.count(c.delivered)
            + " of "
            + Report.count(expectedDeliveries())
            + " expected ("
            + Report.num(c.delivered / windowSeconds, 0)
            + " /s of "
            + Report.num(expectedDeliveries() / windowSeconds, 0)
            + " /s)");
    report.row("missing", Report.count(missing()));
    report.row("lost (sequence gaps)", Report.count(c.lost));
    report.row(
        "duplicated", Report.count(c.duplicated) + "; out of order " + Report.count(c.outOfOrder));
    report.row(
        "skipped by the server",
        Report.count(c.skipped) + " (" + Report.count(c.discontinuities) + " discontinuities)");
    report.row("listeners dropped", Report.count(dropped) + (drops.isEmpty() ? "" : " " + drops));
    report.latencyRow("latency ms", c.latencyMicros);
    JsonObject lag = Report.latencyMillis(sendLagMicros);
    if (lag.containsKey("p50")) {
      // Up to one timer tick (at most 5 ms) is the pacing itself; more means a busy generator,
      // whose latencies then include its own delay.
      report.row(
          "send lag ms",
          "p50 "
              + lag.getDouble("p50")
              + "  p99 "
              + lag.getDouble("p99")
              + "  max "
              + lag.getDouble("max")
              + "  (behind schedule; beyond a 5 ms tick = generator busy)");
    }
  }
}
