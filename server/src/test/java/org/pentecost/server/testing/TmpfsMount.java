package org.pentecost.server.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted on a directory: a real file system that fills up and answers "No space left
 * on device". Mounting needs root; when it is refused, a test fails under {@code CI=true} (where it
 * must run) and is skipped with the reason elsewhere.
 */
public final class TmpfsMount implements AutoCloseable {
  private final Path dir;

  private TmpfsMount(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code size} (e.g. {@code 1m}) on {@code dir}, creating it if needed. */
  public static TmpfsMount mount(Path dir, String size) throws Exception {
    Files.createDirectories(dir);
    String[] cmd = {"mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()};
    String failure;
    try {
      Outcome o = run(cmd);
      failure = o.code() == 0 ? null : "exit " + o.code() + ": " + o.output().strip();
    } catch (IOException e) {
      failure = e.toString();
    }
    if (failure != null) {
      String why = "cannot mount a tmpfs on " + dir + " (" + String.join(" ", cmd) + ": " + failure;
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(why + "); CI must run this test as root with mount allowed");
      }
      Assumptions.abort(why + "); needs root, skipped outside CI");
    }
    return new TmpfsMount(dir);
  }

  public Path dir() {
    return dir;
  }

  /**
   * Writes {@code name} until the file system refuses with "No space left on device"; afterwards no
   * file on it can grow. Returns the filler's path.
   */
  public Path fill(String name) throws IOException {
    Path filler = dir.resolve(name);
    ByteBuffer block = ByteBuffer.allocate(4096);
    try (FileChannel ch =
        FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      while (true) {
        block.clear();
        ch.write(block, ch.size());
      }
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left on device")) {
        throw e;
      }
    }
    return filler;
  }

  /** Unmounts (lazily if something still holds a file open). */
  @Override
  public void close() throws Exception {
    if (run("umount", dir.toString()).code() != 0) {
      Outcome lazy = run("umount", "-l", dir.toString());
      if (lazy.code() != 0) {
        throw new IllegalStateException("could not unmount " + dir + ": " + lazy.output());
      }
    }
  }

  private record Outcome(int code, String output) {}

  private static Outcome run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not finish");
    }
    return new Outcome(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
