package org.pentecost.server.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' {@code promtool} (Debian's {@code prometheus} package): missing, a test is skipped,
 * or fails under CI.
 */
public final class Promtool {
  private Promtool() {}

  /** The promtool binary on PATH; skips (fails under CI) without one. */
  public static Path require() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String why = "promtool is not installed (apt-get install prometheus)";
    if (System.getenv("CI") != null) {
      throw new AssertionError(why + "; CI is set, so this is a failure, not a skip");
    }
    System.err.println("[promtool tests] " + why + "; skipping");
    assumeTrue(false, why + "; skipping");
    return null;
  }

  /** Runs {@code promtool args...}; returns its exit code and output. */
  public static Result run(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(require().toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("promtool did not finish: " + command);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  public record Result(int exitCode, String output) {}
}
