package org.pentecost.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * A run's results: one JSON line with every number (for scripts), then a readable table. Also the
 * arithmetic shared by the subcommands.
 */
final class Report {
  private final JsonObject json = new JsonObject();
  private final List<String[]> rows = new ArrayList<>();

  JsonObject json() {
    return json;
  }

  /** A line of the table; a null value makes a section heading. */
  Report row(String label, String value) {
    rows.add(new String[] {label, value});
    return this;
  }

  Report section(String title) {
    return row(title, null);
  }

  /** A row of {@link #latencyMillis}' percentiles, p50 to max; none for an empty histogram. */
  Report latencyRow(String label, Histogram micros) {
    JsonObject lat = latencyMillis(micros);
    if (!lat.containsKey("p50")) {
      return this;
    }
    return row(
        label,
        "p50 "
            + lat.getDouble("p50")
            + "  p90 "
            + lat.getDouble("p90")
            + "  p99 "
            + lat.getDouble("p99")
            + "  p99.9 "
            + lat.getDouble("p999")
            + "  max "
            + lat.getDouble("max"));
  }

  /** The JSON line, a blank line, then the table. */
  void print(PrintStream out) {
    out.println(json.encode());
    out.println();
    int width = 0;
    for (String[] r : rows) {
      if (r[1] != null) {
        width = Math.max(width, r[0].length());
      }
    }
    for (String[] r : rows) {
      if (r[1] == null) {
        out.println(r[0]);
      } else {
        out.println("  " + pad(r[0], width) + "  " + r[1]);
      }
    }
    out.flush();
  }

  private static String pad(String s, int width) {
    StringBuilder b = new StringBuilder(s);
    while (b.length() < width) {
      b.append(' ');
    }
    return b.toString();
  }

  // ---- arithmetic ----

  /** CPU use between two readings: 100 = one core busy the whole time. */
  static double cpuPercent(long deltaTicks, long ticksPerSecond, long wallNanos) {
    if (wallNanos <= 0 || ticksPerSecond <= 0 || deltaTicks < 0) {
      return Double.NaN;
    }
    return (deltaTicks / (double) ticksPerSecond) / (wallNanos / 1e9) * 100;
  }

  /**
   * CPU microseconds per connection: a process at {@code cpuPercent} of a core between two samples,
   * divided over the connections joined meanwhile.
   */
  static double microsPer(
      double cpuPercent, CpuMeter.Sample from, CpuMeter.Sample to, long connections) {
    return microsPer(cpuPercent, to.nanos() - from.nanos(), connections);
  }

  static double microsPer(double cpuPercent, long wallNanos, long connections) {
    if (connections <= 0 || Double.isNaN(cpuPercent)) {
      return Double.NaN;
    }
    return cpuPercent / 100 * (wallNanos / 1e3) / connections;
  }

  /** Memory growth divided over the connections that caused it. */
  static double bytesPer(long before, long after, long connections) {
    return connections > 0 ? (after - before) / (double) connections : Double.NaN;
  }

  /** Rounds to {@code digits} decimals; NaN and infinities become null (JSON has no NaN). */
  static Double round(double value, int digits) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return null;
    }
    return BigDecimal.valueOf(value).setScale(digits, RoundingMode.HALF_UP).doubleValue();
  }

  /** Percentiles of a microsecond histogram, in milliseconds. */
  static JsonObject latencyMillis(Histogram micros) {
    JsonObject o = new JsonObject().put("count", micros.getTotalCount());
    if (micros.getTotalCount() == 0) {
      return o;
    }
    return o.put("p50", ms(micros.getValueAtPercentile(50)))
        .put("p90", ms(micros.getValueAtPercentile(90)))
        .put("p99", ms(micros.getValueAtPercentile(99)))
        .put("p999", ms(micros.getValueAtPercentile(99.9)))
        .put("max", ms(micros.getMaxValue()))
        .put("mean", round(micros.getMean() / 1000, 3));
  }

  private static Double ms(long micros) {
    return round(micros / 1000.0, 3);
  }

  static JsonArray array(long[] values) {
    JsonArray a = new JsonArray();
    for (long v : values) {
      a.add(v);
    }
    return a;
  }

  // ---- formatting ----

  static String num(double value, int digits) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%,." + digits + "f", value);
  }

  static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  /** 1536 -> "1.5 KiB", with binary units. */
  static String bytes(double value) {
    if (Double.isNaN(value)) {
      return "n/a";
    }
    double abs = Math.abs(value);
    if (abs < 1024) {
      return num(value, 0) + " B";
    }
    if (abs < 1024 * 1024) {
      return num(value / 1024, 1) + " KiB";
    }
    if (abs < 1024.0 * 1024 * 1024) {
      return num(value / (1024 * 1024), 1) + " MiB";
    }
    return num(value / (1024.0 * 1024 * 1024), 2) + " GiB";
  }
}
