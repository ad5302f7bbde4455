package org.pentecost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTest {
  private static final long S = 1_000_000_000L;

  @Test
  void rampRateCountsJoinsOverTimeToLastJoin() {
    // Four listeners start at 0; three join at 0.5 s, 1.2 s and 2.0 s; one never joins.
    long[] start = {0, 0, 0, 0};
    long[] join = {S / 2, S + S / 5, 2 * S, -1};
    RampStats r = RampStats.compute(start, join, i -> true, 500);
    assertThat(r.joined()).isEqualTo(3);
    assertThat(r.lastJoinSeconds()).isEqualTo(2.0);
    assertThat(r.joinsPerSecond()).isEqualTo(1.5);
    assertThat(r.timeline()).containsExactly(1, 1, 1);
    assertThat(r.peakJoinsPerSecond()).isEqualTo(1);
    assertThat(r.firstSession().listeners()).isEqualTo(3);
  }

  @Test
  void firstSessionRateStopsAtTarget() {
    // Session 0 = even indices. It starts at 0.1 s; its joins: 0.2, 0.3, 0.6, 0.9 s.
    long[] start = {S / 10, S / 10, S / 5, S / 5, S / 5, S / 5, S / 5, S / 5};
    long[] join = {
      2 * S / 10, 5 * S / 10, 3 * S / 10, 7 * S / 10, 6 * S / 10, 8 * S / 10, 9 * S / 10, S
    };
    RampStats r = RampStats.compute(start, join, i -> i % 2 == 0, 3);
    RampStats.FirstSession first = r.firstSession();
    assertThat(first.listeners()).isEqualTo(3);
    assertThat(first.seconds()).isCloseTo(0.5, within(1e-9)); // 0.1 s -> third join at 0.6 s
    assertThat(first.joinsPerSecond()).isCloseTo(6.0, within(1e-9));
    assertThat(r.joinsPerSecond()).isCloseTo(8.0, within(1e-9));
    assertThat(r.timeline()).containsExactly(7, 1);
  }

  @Test
  void nothingJoined() {
    RampStats r = RampStats.compute(new long[] {0, 0}, new long[] {-1, -1}, i -> true, 500);
    assertThat(r.joined()).isZero();
    assertThat(r.joinsPerSecond()).isNaN();
    assertThat(r.firstSession()).isNull();
    assertThat(r.timeline()).isEmpty();
  }

  @Test
  void cpuAndMemoryArithmetic() {
    // 150 ticks at 100 per second over 2 s = 75 % of one core.
    assertThat(Report.cpuPercent(150, 100, 2 * S)).isEqualTo(75.0);
    assertThat(Report.cpuPercent(400, 100, 2 * S)).isEqualTo(200.0);
    assertThat(Report.cpuPercent(1, 100, 0)).isNaN();
    // 50 % of a core for 2 s = 1 s of CPU over 2,000 connections = 500 us each.
    assertThat(Report.microsPer(50, 2 * S, 2_000)).isEqualTo(500.0);
    assertThat(Report.microsPer(50, 2 * S, 0)).isNaN();
    assertThat(Report.bytesPer(100_000_000L, 180_000_000L, 10_000)).isEqualTo(8_000.0);
    assertThat(Report.bytesPer(1, 2, 0)).isNaN();
    assertThat(Report.round(1.23456, 2)).isEqualTo(1.23);
    assertThat(Report.round(Double.NaN, 2)).isNull();
    assertThat(Report.bytes(8_192)).isEqualTo("8.0 KiB");
    assertThat(Report.bytes(512)).isEqualTo("512 B");
  }

  @Test
  void latencyInMilliseconds() {
    Histogram h = new Histogram(3);
    for (int i = 1; i <= 100; i++) {
      h.recordValue(i * 1_000L); // 1 ms .. 100 ms
    }
    JsonObject o = Report.latencyMillis(h);
    assertThat(o.getLong("count")).isEqualTo(100);
    assertThat(o.getDouble("p50")).isCloseTo(50.0, within(0.1));
    assertThat(o.getDouble("p99")).isCloseTo(99.0, within(0.1));
    assertThat(o.getDouble("max")).isCloseTo(100.0, within(0.1));
    assertThat(Report.latencyMillis(new Histogram(3)).containsKey("p50")).isFalse();
  }

  @Test
  void printsJsonLineThenTable() {
    Report r = new Report();
    r.json().put("joined", 3).put("rate", Report.round(Double.NaN, 1));
    r.section("connect").row("joined", "3").row("connection rate", "n/a");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    r.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(new JsonObject(lines[0]).getInteger("joined")).isEqualTo(3);
    assertThat(lines[1]).isEmpty();
    assertThat(lines[2]).isEqualTo("connect");
    assertThat(lines[3]).isEqualTo("  joined           3");
    assertThat(lines[4]).isEqualTo("  connection rate  n/a");
  }

  @Test
  void sessionJoinedFastPathMatchesCompactJson() {
    String joined =
        new JsonObject().put("type", "sessionJoined").put("connectionId", "c1").encode();
    assertThat(joined).startsWith(ListenerConnection.JOINED_PREFIX);
    String error = new JsonObject().put("type", "error").put("code", "SESSION_FULL").encode();
    assertThat(error).doesNotStartWith(ListenerConnection.JOINED_PREFIX);
  }

  @Test
  void procFilesParse() {
    String stat =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 12345 0 0 0 731 269 0 0 20 0 40 0 "
            + "1000 8000000000 60000 18446744073709551615 1 1 0 0 0 0 0 0 0";
    assertThat(ProcFiles.parseCpuTicks(stat)).isEqualTo(1000);
    assertThat(ProcFiles.parseUserTicks(stat)).isEqualTo(731);
    assertThat(
            ProcFiles.parseMachineUserTicks(
                "cpu  357963 22693 57915 155290 1723 0 11061\ncpu0 1 2"))
        .isEqualTo(357_963 + 22_693);
    String status = "Name:\tjava\nVmPeak:\t 9999 kB\nVmRSS:\t  204800 kB\nRssAnon:\t 1 kB\n";
    assertThat(ProcFiles.parseVmRssKb(status)).isEqualTo(204_800);
    String heap =
        "4242:\n garbage-first heap   total 262144K, used 51234K [0x0000000700000000,"
            + " 0x0000000800000000)\n  region size 1024K, 3 young (3072K), 0 survivors (0K)\n";
    assertThat(ProcFiles.parseHeapUsedBytes(heap)).hasValue(51_234L * 1024);
    String serial =
        "4242:\n def new generation   total 116224K, used 6839K [0x0000000687400000, 0x0)\n"
            + "  eden space 103360K,   6% used [0x0000000687400000, 0x0)\n"
            + " tenured generation   total 258048K, used 17933K [0x0000000704d50000, 0x0)\n"
            + " Metaspace       used 29914K, committed 30336K, reserved 1114112K\n";
    assertThat(ProcFiles.parseHeapUsedBytes(serial)).hasValue((6_839L + 17_933L) * 1024);
    assertThat(ProcFiles.parseHeapUsedBytes("nothing")).isEmpty();
  }
}
