package org.pentecost.server.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Redis Cluster of the test's own: a few {@code redis-server} children with cluster mode on,
 * joined by {@code redis-cli --cluster create}, no replicas, nothing on disk but their node files.
 */
public final class RedisClusterProcess implements AutoCloseable {
  private final Path dir;
  private final List<Integer> ports = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  private RedisClusterProcess(Path dir) {
    this.dir = dir;
  }

  /** Starts {@code masters} nodes and forms the cluster; skips (fails under CI) without Redis. */
  public static RedisClusterProcess start(int masters) throws Exception {
    for (String program : List.of("redis-server", "redis-cli")) {
      if (!RedisServerProcess.onPath(program)) {
        RedisTests.unavailable(program + " is not installed (apt-get install redis-server)");
      }
    }
    RedisClusterProcess cluster =
        new RedisClusterProcess(Files.createTempDirectory("pentecost-redis-cluster"));
    try {
      for (int i = 0; i < masters; i++) {
        cluster.startNode(clusterPort());
      }
      cluster.create();
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** A free port whose cluster bus port (+10000) is free too. */
  private static int clusterPort() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = RedisServerProcess.freePort();
      if (port < 55_000) {
        try (ServerSocket bus = new ServerSocket(port + 10_000)) {
          return port;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    throw new IOException("no free port pair for a cluster node");
  }

  private void startNode(int port) throws Exception {
    Process p =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes-" + port + ".conf",
                "--dir",
                dir.toString(),
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    processes.add(p);
    ports.add(port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (RedisTests.pingProblem(url(port)) != null) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("cluster node did not start on port " + port);
      }
      Thread.sleep(20);
    }
  }

  private void create() throws Exception {
    List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    ports.forEach(p -> command.add("127.0.0.1:" + p));
    command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
      throw new IllegalStateException("redis-cli --cluster create failed: " + output);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (int port : ports) {
      while (!clusterOk(port)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the cluster did not become ready");
        }
        Thread.sleep(50);
      }
    }
  }

  private static boolean clusterOk(int port) {
    try (RedisTestClient client = new RedisTestClient(url(port))) {
      return String.valueOf(client.call("CLUSTER", "INFO")).contains("cluster_state:ok");
    }
  }

  private static String url(int port) {
    return "redis://127.0.0.1:" + port;
  }

  /** The first node's URL (any node will do as a seed). */
  public String url() {
    return url(ports.get(0));
  }

  /** Every node's URL. */
  public List<String> urls() {
    return ports.stream().map(RedisClusterProcess::url).toList();
  }

  /** The number of keys held by each node. */
  public List<Long> keysPerNode() {
    List<Long> counts = new ArrayList<>();
    for (int port : ports) {
      try (RedisTestClient client = new RedisTestClient(url(port))) {
        counts.add((Long) client.call("DBSIZE"));
      }
    }
    return counts;
  }

  @Override
  public void close() throws IOException {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
