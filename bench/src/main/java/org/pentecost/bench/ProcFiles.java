package org.pentecost.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a process's memory and CPU time from Linux's {@code /proc}. */
final class ProcFiles {
  private ProcFiles() {}

  private static final Pattern VM_RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+)\\s+kB");

  /** Resident set size in bytes, from {@code /proc/PID/status}. */
  static long rssBytes(String pid) throws IOException {
    return parseVmRssKb(read(pid, "status")) * 1024;
  }

  /** User plus system CPU time in clock ticks, from {@code /proc/PID/stat}. */
  static long cpuTicks(String pid) throws IOException {
    return parseCpuTicks(read(pid, "stat"));
  }

  /** User-mode CPU time in clock ticks (field 14 of {@code /proc/PID/stat}). */
  static long userTicks(String pid) throws IOException {
    return parseUserTicks(read(pid, "stat"));
  }

  /** User-mode CPU time of the whole machine, all cores (user + nice of {@code /proc/stat}). */
  static long machineUserTicks() throws IOException {
    return parseMachineUserTicks(Files.readString(Path.of("/proc/stat"), StandardCharsets.UTF_8));
  }

  static boolean exists(long pid) {
    return Files.isDirectory(Path.of("/proc", Long.toString(pid)));
  }

  private static String read(String pid, String file) throws IOException {
    return Files.readString(Path.of("/proc", pid, file), StandardCharsets.UTF_8);
  }

  static long parseVmRssKb(String status) {
    Matcher m = VM_RSS.matcher(status);
    if (!m.find()) {
      throw new IllegalArgumentException("no VmRSS line in /proc status");
    }
    return Long.parseLong(m.group(1));
  }

  /**
   * utime + stime (fields 14 and 15 of {@code /proc/PID/stat}). The command name (field 2) is in
   * parentheses and may hold spaces and parentheses, so fields are counted after the last ')'.
   */
  static long parseCpuTicks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc stat line");
    }
    String[] f = stat.substring(close + 1).trim().split("\\s+");
    // f[0] is field 3 (state), so field n is f[n - 3].
    return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
  }

  static long parseUserTicks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc stat line");
    }
    return Long.parseLong(stat.substring(close + 1).trim().split("\\s+")[14 - 3]);
  }

  /** user + nice of the first ("cpu ") line of {@code /proc/stat}. */
  static long parseMachineUserTicks(String procStat) {
    for (String line : procStat.split("\n")) {
      if (line.startsWith("cpu ")) {
        String[] f = line.trim().split("\\s+");
        return Long.parseLong(f[1]) + Long.parseLong(f[2]);
      }
    }
    throw new IllegalArgumentException("no cpu line in /proc/stat");
  }

  private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");

  /**
   * Heap in use, in bytes, from {@code jcmd PID GC.heap_info}: the sum of the "total NK, used NK"
   * lines, that is the one G1 heap line or the generations of the serial and parallel collectors
   * (Metaspace is not heap and is not counted). Empty for collectors that print otherwise (ZGC).
   */
  static OptionalLong parseHeapUsedBytes(String heapInfo) {
    Matcher m = HEAP_USED.matcher(heapInfo);
    long kb = 0;
    boolean found = false;
    while (m.find()) {
      kb += Long.parseLong(m.group(1));
      found = true;
    }
    return found ? OptionalLong.of(kb * 1024) : OptionalLong.empty();
  }
}
