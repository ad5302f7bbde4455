package org.pentecost.server.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Watches a node in its own JVM once a second, on its own thread: the JVM's heap in use (the sum of
 * {@code jvm_memory_used_bytes{area="heap"}} on {@code /metrics}, garbage not yet collected
 * included), the old generation's size after its last collection ({@code
 * jvm_gc_live_data_size_bytes}), the process's resident set ({@code VmRSS} in {@code
 * /proc/PID/status}) and whether {@code /health} answers 200. Keeps the maxima, every failed health
 * probe, and the CPU time the process used while watched (a node that got little CPU from a busy
 * machine explains late audio).
 */
public final class MemoryWatch implements AutoCloseable {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  /** Linux's clock ticks per second ({@code getconf CLK_TCK}), the unit of {@code /proc} times. */
  private static final long CLOCK_TICKS = 100;

  private final ServerProcess node;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(PROBE_TIMEOUT)
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final Thread thread;
  private final List<String> healthFailures = new ArrayList<>();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final long startCpuMillis;
  private long maxHeap;
  private long maxLive;
  private long maxRss;
  private int samples;

  private MemoryWatch(ServerProcess node) {
    this.node = node;
    this.thread = new Thread(this::run, "memory-watch");
    this.thread.setDaemon(true);
    this.startCpuMillis = cpuMillis(node.pid());
  }

  /** Starts watching {@code node}. */
  public static MemoryWatch start(ServerProcess node) {
    MemoryWatch w = new MemoryWatch(node);
    w.thread.start();
    return w;
  }

  /**
   * What was seen: the maxima in bytes, the number of samples, the failed health probes and the
   * node's CPU time while watched.
   */
  public record Summary(
      long maxHeapBytes,
      long maxLiveBytes,
      long maxRssBytes,
      int samples,
      List<String> healthFailures,
      long cpuMillis) {
    @Override
    public String toString() {
      return String.format(
          "max heap used %d MiB (old generation after its last collection %d MiB), max RSS"
              + " %d MiB over %d samples, node CPU %.1f s",
          maxHeapBytes >> 20, maxLiveBytes >> 20, maxRssBytes >> 20, samples, cpuMillis / 1e3);
    }
  }

  private void run() {
    long next = System.nanoTime();
    try {
      do {
        sample();
        next += TimeUnit.SECONDS.toNanos(1);
      } while (!stopping.await(next - System.nanoTime(), TimeUnit.NANOSECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void sample() {
    String at = "at sample " + samples;
    long rss = rss(node.pid());
    String health = probe("/health");
    String metrics = probe("/metrics");
    long heap = metrics == null ? 0 : sum(metrics, "jvm_memory_used_bytes", "area=\"heap\"");
    long live = metrics == null ? 0 : sum(metrics, "jvm_gc_live_data_size_bytes", "");
    synchronized (this) {
      samples++;
      maxRss = Math.max(maxRss, rss);
      maxHeap = Math.max(maxHeap, heap);
      maxLive = Math.max(maxLive, live);
      if (health == null) {
        healthFailures.add(at + ": /health did not answer 200 within " + PROBE_TIMEOUT);
      }
    }
  }

  /** The body of a 200 answer to GET {@code path}, or null if there was none in time. */
  private String probe(String path) {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
            .timeout(PROBE_TIMEOUT)
            .build();
    try {
      HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The sum of the samples of {@code name} whose labels contain {@code label}. */
  static long sum(String metrics, String name, String label) {
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(label)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) sum;
  }

  /** The CPU time (user and system) process {@code pid} has used, 0 once it has gone. */
  static long cpuMillis(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / CLOCK_TICKS;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The resident set of process {@code pid} in bytes, 0 once it has gone. */
  static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    } catch (IOException e) {
      // the process has gone
    }
    return 0;
  }

  /** Stops watching (after the sample under way) and returns what was seen. */
  public Summary stop() {
    stopping.countDown();
    try {
      thread.join(PROBE_TIMEOUT.toMillis() * 3);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long cpu = cpuMillis(node.pid()) - startCpuMillis;
    synchronized (this) {
      return new Summary(maxHeap, maxLive, maxRss, samples, List.copyOf(healthFailures), cpu);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
