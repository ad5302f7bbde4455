package org.pentecost.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pentecost.server.config.ConfigLoader;

/** The real {@code pentecost} command line in a separate JVM, with this test run's class path. */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern PORT = Pattern.compile("\\(port (\\d+)\\)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Process process;
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());

  private ServerProcess(Process process) {
    this.process = process;
    // A test JVM stopped before its clean-up (a build's time-out) takes its node with it.
    Runtime.getRuntime()
        .addShutdownHook(new Thread(process::destroyForcibly, "server-process-kill"));
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  output.add(line);
                  Matcher m = PORT.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
              port.completeExceptionally(new IllegalStateException("server exited: " + output));
            },
            "server-process-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code pentecost serve --port 0 --data-dir DIR [more]} and waits until it listens. */
  public static ServerProcess serve(Path dataDir, String... more) throws Exception {
    return serve(dataDir, List.of(), Map.of(), more);
  }

  /**
   * As {@link #serve(Path, String...)}, in a JVM started with {@code jvmOptions} (e.g. {@code
   * -Xmx512m}) and with {@code settings} (config key paths such as {@code limits.trustedNetworks} →
   * values) passed in their environment form. The JVM's standard error goes to {@link #output()}
   * with its standard output, so that nothing it prints (an {@code OutOfMemoryError}) is lost or
   * blocks it.
   */
  public static ServerProcess serve(
      Path dataDir, List<String> jvmOptions, Map<String, String> settings, String... more)
      throws Exception {
    List<String> args =
        new ArrayList<>(List.of("serve", "--port", "0", "--data-dir", dataDir.toString()));
    args.addAll(List.of(more));
    ProcessBuilder pb = command(jvmOptions, args.toArray(String[]::new));
    settings.forEach((key, value) -> pb.environment().put(ConfigLoader.envName(key), value));
    pb.redirectErrorStream(true);
    ServerProcess p = new ServerProcess(pb.start());
    p.port.get(60, TimeUnit.SECONDS);
    return p;
  }

  /** Runs a one-shot command to completion: exit code, stdout, stderr. */
  public static Result run(String... args) throws Exception {
    Process p = command(List.of(), args).redirectErrorStream(false).start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("command did not finish: " + List.of(args));
    }
    return new Result(p.exitValue(), out.get(), err.get());
  }

  private static ProcessBuilder command(List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.pentecost.server.cli.Main");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("PENTECOST_"));
    pb.redirectErrorStream(false);
    return pb;
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  public int port() {
    return port.join();
  }

  /** The JVM's process id. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public List<String> output() {
    return List.copyOf(output);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** An HTTP request to this node, as {@link TestServer#send} makes one to an in-process node. */
  public TestServer.Response send(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return new TestServer.Response(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** SIGTERM, as an operator stops a node: its shutdown hook closes the store cleanly. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      kill();
    }
  }

  /** {@code kill -9} of this JVM, by its PID: no shutdown hook, no flush, no goodbye to Redis. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  /** What a one-shot command did. */
  public record Result(int exitCode, String stdout, String stderr) {}
}
