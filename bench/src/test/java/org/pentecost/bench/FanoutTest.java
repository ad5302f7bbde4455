package org.pentecost.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.pentecost.protocol.AudioFrame;
import picocli.CommandLine;

class FanoutTest {
  private static final long MS = 1_000_000L;

  @Test
  void pacerSpreadsSessionsOverOneIntervalAndCatchesUp() {
    // 50 frames/s for 1 s from t = 1000 ms.
    Pacer p = Pacer.of(1_000 * MS, 1_000 * MS, 50);
    assertThat(p.intervalNanos()).isEqualTo(20 * MS);
    assertThat(p.tickMillis()).isEqualTo(5);
    assertThat(p.phase(0, 4)).isZero();
    assertThat(p.phase(1, 4)).isEqualTo(5 * MS);
    assertThat(p.phase(3, 4)).isEqualTo(15 * MS);
    assertThat(p.due(999 * MS, 0)).isZero();
    assertThat(p.due(1_000 * MS, 0)).isEqualTo(1);
    assertThat(p.due(1_019 * MS, 0)).isEqualTo(1);
    assertThat(p.due(1_020 * MS, 0)).isEqualTo(2);
    assertThat(p.due(1_004 * MS, 5 * MS)).isZero();
    assertThat(p.due(1_005 * MS, 5 * MS)).isEqualTo(1);
    // A late tick owes everything since the last one.
    assertThat(p.due(1_500 * MS, 0)).isEqualTo(26);
    // Nothing is due past the end: exactly rate x seconds frames each.
    assertThat(p.due(9_000 * MS, 0)).isEqualTo(50);
    assertThat(p.total(15 * MS)).isEqualTo(50);
    assertThat(Pacer.of(0, 1_000 * MS, 1_000).tickMillis()).isEqualTo(1);
    assertThat(Pacer.of(0, 1_000 * MS, 2).tickMillis()).isEqualTo(5);
  }

  @Test
  void countersTellLossDuplicatesReorderingAndSkipsApart() {
    FanoutCounters c = new FanoutCounters();
    c.windowStart = 100;
    c.windowEnd = 200;
    long last = 0;
    // seq: 5 (first), 6, 8 (7 lost), 8 (dup), 7 (late), 12 with DISCONTINUITY (9..11 skipped), 13
    long[][] frames = {{5, 0, 50}, {6, 0, 110}, {8, 0, 120}, {8, 0, 120}, {7, 0, 115}};
    for (long[] f : frames) {
      last = c.frame(last, (int) f[1], f[0], f[2], f[2] + 3_000);
    }
    last = c.frame(last, AudioFrame.FLAG_DISCONTINUITY, 12, 150, 150 + 9_000);
    last = c.frame(last, 0, 13, 250, 260);
    assertThat(last).isEqualTo(13);
    assertThat(c.received).isEqualTo(7);
    assertThat(c.lost).isEqualTo(1);
    assertThat(c.duplicated).isEqualTo(1);
    assertThat(c.outOfOrder).isEqualTo(1);
    assertThat(c.skipped).isEqualTo(3);
    assertThat(c.discontinuities).isEqualTo(1);
    // Measured: sent in [100, 200) and new: 6, 8, 12 (5 is warm-up, 13 after the window).
    assertThat(c.delivered).isEqualTo(3);
    assertThat(c.latencyMicros.getTotalCount()).isEqualTo(3);
    assertThat(c.latencyMicros.getMaxValue()).isEqualTo(9); // 9,000 ns
    FanoutCounters sum = c.copy();
    sum.add(c);
    assertThat(sum.delivered).isEqualTo(6);
    assertThat(sum.latencyMicros.getTotalCount()).isEqualTo(6);
  }

  @Test
  void expectedDeliveriesAreFramesTimesTheirSessionsListeners() {
    FanoutCounters c = new FanoutCounters();
    c.delivered = 2 * 100 + 3 * 100 - 4;
    FanoutLoop.Result one =
        new FanoutLoop.Result(
            c,
            new int[] {2, 0},
            new long[] {110, 0},
            new long[] {100, 0},
            2,
            0,
            0,
            Map.of(),
            Map.of(),
            Map.of(),
            new io.vertx.core.json.JsonObject(),
            lag(3_000));
    FanoutLoop.Result two =
        new FanoutLoop.Result(
            new FanoutCounters(),
            new int[] {0, 3},
            new long[] {0, 110},
            new long[] {0, 100},
            3,
            0,
            0,
            Map.of(),
            Map.of(),
            Map.of(),
            new io.vertx.core.json.JsonObject(),
            lag(3_000));
    FanoutResult r = FanoutResult.merge(List.of(one, two), 2);
    assertThat(r.joined()).isEqualTo(5);
    assertThat(r.framesSentInWindow()).isEqualTo(200);
    assertThat(r.expectedDeliveries()).isEqualTo(500);
    assertThat(r.missing()).isEqualTo(4);
    assertThat(r.clean(5)).isFalse();
    var json = r.json(2.0, 2, 50);
    assertThat(json.getDouble("deliveriesPerSecond")).isEqualTo(248.0);
    assertThat(json.getDouble("expectedDeliveriesPerSecond")).isEqualTo(250.0);
    assertThat(json.getDouble("framesPerSecondPerSession")).isEqualTo(50.0);
    assertThat(json.getJsonObject("sendLagMs").getLong("count")).isEqualTo(2);
    assertThat(json.getJsonObject("sendLagMs").getDouble("max")).isBetween(2.99, 3.01);
  }

  private static Histogram lag(long micros) {
    Histogram h = new Histogram(3);
    h.recordValue(micros);
    return h;
  }

  @Test
  void commandLineParsesWithDefaults() {
    CommandLine.ParseResult parsed =
        BenchMain.commandLine()
            .parseArgs(
                "fanout",
                "--url",
                "http://127.0.0.1:8080",
                "--token",
                "T",
                "--sessions",
                "20",
                "--listeners-per-session",
                "500",
                "--rate",
                "50",
                "--duration",
                "30s",
                "--source-addresses",
                "4",
                "--server-pid",
                "42");
    FanoutCommand f = parsed.subcommand().commandSpec().commandLine().getCommand();
    assertThat(f.o.sessions).isEqualTo(20);
    assertThat(f.o.listenersPerSession).isEqualTo(500);
    assertThat(f.o.frameBytes).isEqualTo(160);
    assertThat(f.o.rate).isEqualTo(50.0);
    assertThat(f.o.effectiveFrameMs()).isEqualTo(20);
    assertThat(f.o.warmup).isEqualTo(Duration.ofSeconds(5));
    assertThat(f.o.duration).isEqualTo(Duration.ofSeconds(30));
    assertThat(f.o.languages).containsExactly("en");
    assertThat(f.o.eventLoops).isEqualTo(2);
    assertThat(f.o.validate().sourceAddresses()).hasSize(4);
  }

  @Test
  void listenerUrlsSpreadListenersRoundRobinWithinEachLoop() {
    CommandLine.ParseResult parsed =
        BenchMain.commandLine()
            .parseArgs(
                "fanout",
                "--url",
                "http://127.0.0.1:8080",
                "--listener-url",
                "http://127.0.0.1:8081",
                "--listener-url",
                "http://localhost:8082",
                "--token",
                "T");
    FanoutCommand f = parsed.subcommand().commandSpec().commandLine().getCommand();
    Target main = f.o.validate().target();
    List<Target> targets = f.o.listenerTargets(main);
    assertThat(targets)
        .containsExactly(new Target("127.0.0.1", 8081), new Target("127.0.0.1", 8082));
    // Two loops (listener i on loop i mod 2), two targets: each loop holds both targets.
    int[] targetOf = new int[8];
    for (int i = 0; i < 8; i++) {
      targetOf[i] = FanoutOptions.targetOf(i, 2, 2);
    }
    assertThat(targetOf).containsExactly(0, 0, 1, 1, 0, 0, 1, 1);
    assertThat(FanoutOptions.targetOf(5, 3, 1)).isEqualTo(2);
    // 10 sessions x 200 listeners over two nodes: half of every session on each.
    for (int s = 0; s < 10; s++) {
      int onFirst = 0;
      for (int j = 0; j < 200; j++) {
        onFirst += FanoutOptions.targetOf(s * 200 + j, 2, 2) == 0 ? 1 : 0;
      }
      assertThat(onFirst).isEqualTo(100);
    }
    assertThat(FanoutReport.planned(2_001, targets, 2)).containsExactly(1_001, 1_000);
    // Without --listener-url, every listener goes to --url.
    FanoutOptions plain = new FanoutOptions();
    assertThat(plain.listenerTargets(main)).containsExactly(main);
  }

  @Test
  void resultsAreKeptPerListenerTarget() {
    FanoutCounters a = new FanoutCounters();
    a.delivered = 100;
    FanoutCounters b = new FanoutCounters();
    b.delivered = 98;
    b.lost = 2;
    FanoutCounters all = new FanoutCounters();
    all.add(a);
    all.add(b);
    FanoutLoop.Result loop =
        new FanoutLoop.Result(
            all,
            new int[] {2},
            new long[] {50},
            new long[] {50},
            4,
            0,
            0,
            Map.of(),
            Map.of(),
            Map.of(),
            new io.vertx.core.json.JsonObject(),
            lag(1_000),
            new FanoutCounters[] {a, b},
            new int[][] {{1}, {1}});
    FanoutResult r = FanoutResult.merge(List.of(loop, loop), 1);
    assertThat(r.joined()).isEqualTo(4);
    assertThat(r.expectedDeliveries(0)).isEqualTo(200);
    var per =
        r.byTargetJson(2.0, List.of("http://127.0.0.1:1", "http://127.0.0.1:2"), new int[] {2, 2});
    assertThat(per.size()).isEqualTo(2);
    assertThat(per.getJsonObject(0).getString("url")).isEqualTo("http://127.0.0.1:1");
    assertThat(per.getJsonObject(0).getLong("joined")).isEqualTo(2);
    assertThat(per.getJsonObject(0).getLong("delivered")).isEqualTo(200);
    assertThat(per.getJsonObject(0).getLong("missing")).isZero();
    assertThat(per.getJsonObject(1).getLong("delivered")).isEqualTo(196);
    assertThat(per.getJsonObject(1).getLong("missing")).isEqualTo(4);
    assertThat(per.getJsonObject(1).getLong("lost")).isEqualTo(4);
    assertThat(per.getJsonObject(1).getDouble("deliveriesPerSecond")).isEqualTo(98.0);
  }

  @Test
  void badFanoutArgumentsAreUsageErrors() {
    CommandLine cl = BenchMain.commandLine();
    cl.setOut(new java.io.PrintWriter(java.io.Writer.nullWriter()));
    cl.setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()));
    String url = "http://127.0.0.1:1";
    assertThat(cl.execute("fanout", "--url", "http://10.0.0.1:80", "--token", "T")).isEqualTo(2);
    assertThat(
            cl.execute(
                "fanout", "--url", url, "--listener-url", "http://192.168.1.1:80", "--token", "T"))
        .isEqualTo(2);
    assertThat(cl.execute("fanout", "--url", url, "--token", "T", "--frame-bytes", "4"))
        .isEqualTo(2);
    assertThat(cl.execute("fanout", "--url", url, "--token", "T", "--rate", "0")).isEqualTo(2);
    assertThat(cl.execute("fanout", "--url", url, "--token", "T", "--event-loops", "3"))
        .isEqualTo(2);
  }

  @Test
  void tokensAreHiddenInTheReportedArguments() {
    assertThat(Redact.args(List.of("--token", "secret", "--token=x", "--rate", "50")))
        .containsExactly("--token", "***", "--token=***", "--rate", "50");
  }
}
