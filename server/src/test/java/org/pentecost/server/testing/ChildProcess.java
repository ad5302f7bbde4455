package org.pentecost.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A program a test runs as a separate process (an example client in Python or Node), its standard
 * output and error read line by line into {@link #lines()}; {@link #awaitLine} waits for one. It is
 * killed on {@link #close()}, and with the test JVM if that ends first.
 */
public final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final String name;
  private final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Thread reader;

  private ChildProcess(Process process, String name) {
    this.process = process;
    this.name = name;
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, name + "-kill"));
    reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code command} in {@code dir} with {@code env} added to this JVM's environment. */
  public static ChildProcess start(Path dir, Map<String, String> env, String... command) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    try {
      return new ChildProcess(
          pb.start(), Path.of(command[command.length > 1 ? 1 : 0]).getFileName().toString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + String.join(" ", command), e);
    }
  }

  /** Every line printed so far (standard output and error, interleaved as they came). */
  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** Waits up to {@code wait} for a line that {@code matches}; returns it. */
  public String awaitLine(Predicate<String> matches, Duration wait) {
    try {
      Awaitility.await()
          .atMost(wait)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> lines().stream().anyMatch(matches) || !process.isAlive());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(name + ": no such line within " + wait + "; output:\n" + output());
    }
    return lines().stream()
        .filter(matches)
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    name + " exited (" + process.exitValue() + "); output:\n" + output()));
  }

  /** Waits (30 s) for a line starting with {@code prefix}. */
  public String awaitLine(String prefix) {
    return awaitLine(l -> l.startsWith(prefix), Duration.ofSeconds(30));
  }

  /** Waits up to {@code wait} for the process to end; its exit code. */
  public int awaitExit(Duration wait) throws InterruptedException {
    if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " still running after " + wait + "; output:\n" + output());
    }
    reader.join(2000); // its last lines too
    return process.exitValue();
  }

  /** The output so far, for failure messages. */
  public String output() {
    return String.join("\n", lines());
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
