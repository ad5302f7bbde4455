package org.pentecost.server.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the example clients under {@code examples/} need to run in a test: a Python 3 with {@code
 * websockets} and {@code aiohttp} (Debian's {@code python3-websockets}, {@code python3-aiohttp}),
 * and Node 18+ with the {@code ws} package ({@code npm install} in {@code examples/node}). When one
 * is missing the test is skipped with a clear message, as for nginx and Redis; with the environment
 * variable {@code CI} set it fails instead ({@code .ci/run} installs them all).
 */
public final class ExampleRuntimes {
  private ExampleRuntimes() {}

  /** {@code examples/} of this checkout, found above the working directory. */
  public static Path examples() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path dir = d.resolve("examples");
      if (Files.isDirectory(dir.resolve("python")) && Files.isDirectory(dir.resolve("node"))) {
        return dir;
      }
    }
    throw new IllegalStateException("examples/ not found above " + Path.of("").toAbsolutePath());
  }

  /**
   * A Python 3 that imports {@code websockets} and {@code aiohttp}: {@code $PENTECOST_PYTHON}, else
   * {@code python3} on the path, else {@code /usr/bin/python3} (where Debian's packages go when
   * another {@code python3}, such as pyenv's, comes first on the path).
   */
  public static String python() {
    List<String> candidates = new ArrayList<>();
    String configured = System.getenv("PENTECOST_PYTHON");
    if (configured != null && !configured.isBlank()) {
      candidates.add(configured);
    }
    candidates.add("python3");
    candidates.add("/usr/bin/python3");
    for (String python : candidates) {
      if (succeeds(Duration.ofSeconds(20), python, "-c", "import websockets, aiohttp")) {
        return python;
      }
    }
    missing(
        "no python3 with websockets and aiohttp (tried "
            + candidates
            + "; apt-get install python3-websockets python3-aiohttp)");
    return null;
  }

  /** {@code node} (18 or newer), with {@code examples/node}'s dependencies installed. */
  public static String node() {
    String version = outputOf("node", "--version");
    if (version == null || !version.startsWith("v") || major(version) < 18) {
      missing("no node 18 or newer (found: " + version + "; apt-get install nodejs npm)");
    }
    Path dir = examples().resolve("node");
    if (!Files.isDirectory(dir.resolve("node_modules/ws"))
        && !succeedsIn(dir, Duration.ofMinutes(3), "npm", "install", "--no-audit", "--no-fund")) {
      missing("npm install in " + dir + " failed (is the npm registry reachable?)");
    }
    return "node";
  }

  private static int major(String version) {
    try {
      return Integer.parseInt(version.substring(1).split("\\.")[0]);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static void missing(String why) {
    if (System.getenv("CI") != null) {
      throw new AssertionError(why + "; CI is set, so this is a failure, not a skip");
    }
    System.err.println("[example tests] " + why + "; skipping");
    assumeTrue(false, why + "; skipping");
  }

  private static boolean succeeds(Duration wait, String... command) {
    return succeedsIn(Path.of(""), wait, command);
  }

  private static boolean succeedsIn(Path dir, Duration wait, String... command) {
    try (ChildProcess p = ChildProcess.start(dir.toAbsolutePath(), Map.of(), command)) {
      return p.awaitExit(wait) == 0;
    } catch (IllegalStateException | AssertionError e) {
      return false; // not installed, or did not finish
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String outputOf(String... command) {
    try (ChildProcess p = ChildProcess.start(Path.of("").toAbsolutePath(), Map.of(), command)) {
      return p.awaitExit(Duration.ofSeconds(20)) == 0 ? p.output().strip() : null;
    } catch (IllegalStateException | AssertionError e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
