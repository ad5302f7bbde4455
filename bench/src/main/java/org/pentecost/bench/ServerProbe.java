package org.pentecost.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The server process under load, on this machine: its RSS and CPU time from {@code /proc}, and a
 * full GC, heap use and class histogram through {@code jcmd} (the same user as the server).
 */
final class ServerProbe {
  private final String pid;
  private final String jcmd;

  private ServerProbe(long pid) {
    this.pid = Long.toString(pid);
    Path bundled = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    this.jcmd = Files.isExecutable(bundled) ? bundled.toString() : "jcmd";
  }

  static ServerProbe attach(long pid) {
    if (!ProcFiles.exists(pid)) {
      throw new IllegalArgumentException("no process " + pid + " on this machine");
    }
    return new ServerProbe(pid);
  }

  String pid() {
    return pid;
  }

  long rssBytes() throws IOException {
    return ProcFiles.rssBytes(pid);
  }

  long cpuTicks() throws IOException {
    return ProcFiles.cpuTicks(pid);
  }

  /** Runs a full GC in the server ({@code jcmd PID GC.run}). */
  void fullGc() throws IOException, InterruptedException {
    jcmd("GC.run");
  }

  /** Heap in use after the last GC, when jcmd can tell. */
  OptionalLong heapUsedBytes() throws IOException, InterruptedException {
    return ProcFiles.parseHeapUsedBytes(jcmd("GC.heap_info"));
  }

  /** The first {@code lines} lines of {@code jcmd PID GC.class_histogram}. */
  List<String> classHistogram(int lines) throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    for (String line : jcmd("GC.class_histogram").split("\n")) {
      if (out.size() >= lines) {
        break;
      }
      out.add(line);
    }
    return out;
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(jcmd, pid, command).redirectErrorStream(true).start();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("jcmd " + pid + " " + command + " did not finish");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException("jcmd " + pid + " " + command + " failed: " + text.trim());
    }
    return text;
  }

  /** Clock ticks per second of {@code /proc} CPU times ({@code getconf CLK_TCK}, else 100). */
  static long clockTicksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String text;
      try (InputStream in = p.getInputStream()) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return Long.parseLong(text);
      }
    } catch (IOException | NumberFormatException e) {
      // use the usual value
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }
}
