package org.pentecost.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shape of the server's main source tree: no package import cycles (the root package {@code
 * org.pentecost.server} counts as a package), the audio path ({@code broadcast}) knows nothing of
 * the WebSocket layer or the cluster, and no file is over {@value #MAX_LINES} lines.
 *
 * <p>A package depends on another when one of its files imports a type of it, or names one fully
 * qualified anywhere (code or a javadoc link). References within a package are not dependencies.
 */
class ArchitectureTest {
  private static final String BASE = "org.pentecost.server";
  private static final int MAX_LINES = 400;

  /** Third-party files shipped as they are; their length is not ours to choose. */
  private static final String VENDORED = "resources/webroot/console/vendor/";

  private static final Pattern REFERENCE =
      Pattern.compile("\\borg\\.pentecost\\.server((?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z]\\w*|\\*)");
  private static final Pattern PACKAGE =
      Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

  @Test
  void noPackageCycles() {
    PackageGraph graph = PackageGraph.of(mainTree().resolve("java"));
    assertThat(graph.packages()).contains("(root)", "session", "store", "redis", "ws");
    assertThat(graph.dependencies("store")).containsKey("session");

    List<String> cycles = graph.cycles();

    assertThat(cycles).as("package cycles (each edge with a file that makes it)").isEmpty();
  }

  @Test
  void broadcastKnowsNothingOfTheGatewayOrTheCluster() {
    PackageGraph graph = PackageGraph.of(mainTree().resolve("java"));
    assertThat(graph.packages()).contains("broadcast");

    assertThat(graph.dependencies("broadcast")).doesNotContainKeys("ws", "cluster");
  }

  @Test
  void cycleFinderReportsARing() {
    PackageGraph ring = new PackageGraph();
    ring.add("a", "b", "a/A.java");
    ring.add("b", "c", "b/B.java");
    ring.add("c", "a", "c/C.java");
    ring.add("c", "d", "c/C.java");

    assertThat(ring.cycles())
        .containsExactly(
            "a, b, c reach each other, e.g. a -> b (a/A.java) -> c (b/B.java) -> a (c/C.java)");
  }

  @Test
  void noLongFiles() throws IOException {
    Path main = mainTree();
    Map<String, Integer> tooLong = new TreeMap<>();
    try (Stream<Path> files = Files.walk(main)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = main.relativize(file).toString().replace('\\', '/');
        if (name.startsWith(VENDORED)) {
          continue;
        }
        int lines = lineCount(file);
        if (lines > MAX_LINES) {
          tooLong.put(name, lines);
        }
      }
    }

    assertThat(tooLong).as("files over %d lines under src/main", MAX_LINES).isEmpty();
  }

  private static int lineCount(Path file) {
    try (Stream<String> lines = Files.lines(file)) {
      return (int) lines.count();
    } catch (UncheckedIOException | IOException e) {
      return 0; // not text: not a source file whose length matters
    }
  }

  /** The server module's {@code src/main}, found from the build's working directory or above. */
  private static Path mainTree() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      for (Path main : List.of(d.resolve("src/main"), d.resolve("server/src/main"))) {
        if (Files.isRegularFile(main.resolve("java/org/pentecost/server/PentecostServer.java"))) {
          return main;
        }
      }
    }
    throw new IllegalStateException("server/src/main not found above " + Path.of(""));
  }

  /** Packages relative to {@code org.pentecost.server} ("(root)" for itself) and their edges. */
  static final class PackageGraph {
    /** package -> package it depends on -> the first file (relative path) that makes the edge. */
    private final Map<String, Map<String, String>> edges = new TreeMap<>();

    static PackageGraph of(Path javaRoot) {
      PackageGraph graph = new PackageGraph();
      try (Stream<Path> files = Files.walk(javaRoot)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          String text = Files.readString(file);
          Matcher declared = PACKAGE.matcher(text);
          if (!declared.find() || !(declared.group(1) + ".").startsWith(BASE + ".")) {
            continue;
          }
          String from = relative(declared.group(1).substring(BASE.length()));
          String where = javaRoot.relativize(file).toString().replace('\\', '/');
          graph.edges.computeIfAbsent(from, k -> new TreeMap<>());
          Matcher ref = REFERENCE.matcher(text.substring(declared.end()));
          while (ref.find()) {
            String to = relative(ref.group(1));
            if (!to.equals(from)) {
              graph.add(from, to, where);
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return graph;
    }

    private static String relative(String suffix) {
      return suffix.isEmpty() ? "(root)" : suffix.substring(1);
    }

    void add(String from, String to, String file) {
      edges.computeIfAbsent(from, k -> new TreeMap<>()).putIfAbsent(to, file);
      edges.computeIfAbsent(to, k -> new TreeMap<>());
    }

    Set<String> packages() {
      return edges.keySet();
    }

    Map<String, String> dependencies(String pkg) {
      return edges.getOrDefault(pkg, Map.of());
    }

    /**
     * One cycle for each group of packages that reach each other (a strongly connected component of
     * more than one package), as {@code a -> b (file) -> ... -> a (file)}.
     */
    List<String> cycles() {
      List<String> found = new ArrayList<>();
      Set<String> done = new TreeSet<>();
      for (String start : edges.keySet()) {
        if (done.contains(start)) {
          continue;
        }
        Set<String> component = component(start);
        done.addAll(component);
        if (component.size() > 1) {
          found.add(
              String.join(", ", component)
                  + " reach each other, e.g. "
                  + describe(cycleThrough(start, component)));
        }
      }
      return found;
    }

    /** The packages that {@code start} reaches and that reach {@code start}. */
    private Set<String> component(String start) {
      Set<String> forward = reachable(start, false);
      Set<String> backward = reachable(start, true);
      forward.retainAll(backward);
      forward.add(start);
      return forward;
    }

    private Set<String> reachable(String start, boolean reverse) {
      Set<String> seen = new TreeSet<>();
      List<String> todo = new ArrayList<>(List.of(start));
      while (!todo.isEmpty()) {
        String p = todo.remove(todo.size() - 1);
        for (String next : reverse ? dependents(p) : edges.get(p).keySet()) {
          if (seen.add(next)) {
            todo.add(next);
          }
        }
      }
      return seen;
    }

    private List<String> dependents(String pkg) {
      return edges.entrySet().stream()
          .filter(e -> e.getValue().containsKey(pkg))
          .map(Map.Entry::getKey)
          .toList();
    }

    /** A shortest path from {@code start} back to itself inside {@code component}. */
    private List<String> cycleThrough(String start, Set<String> component) {
      Map<String, String> parent = new TreeMap<>();
      List<String> queue = new ArrayList<>(List.of(start));
      for (int i = 0; i < queue.size(); i++) {
        String p = queue.get(i);
        for (String next : edges.get(p).keySet()) {
          if (next.equals(start)) {
            List<String> path = new ArrayList<>(List.of(start));
            for (String q = p; !q.equals(start); q = parent.get(q)) {
              path.add(1, q);
            }
            path.add(start);
            return path;
          }
          if (component.contains(next) && !parent.containsKey(next)) {
            parent.put(next, p);
            queue.add(next);
          }
        }
      }
      throw new IllegalStateException("no cycle through " + start);
    }

    private String describe(List<String> path) {
      StringBuilder s = new StringBuilder(path.get(0));
      for (int i = 1; i < path.size(); i++) {
        String from = path.get(i - 1);
        String to = path.get(i);
        s.append(" -> ").append(to).append(" (").append(edges.get(from).get(to)).append(')');
      }
      return s.toString();
    }
  }
}
