package org.pentecost.server.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the test's own, a child process on a free port, for tests that stop and
 * restart Redis: they never touch the shared one. Stopped by its PID; no data on disk.
 */
public final class RedisServerProcess implements AutoCloseable {
  private final int port;
  private Process process;

  private RedisServerProcess(int port) {
    this.port = port;
  }

  /** Starts one, or skips (fails under CI) the test when {@code redis-server} is not installed. */
  public static RedisServerProcess start() {
    if (!onPath("redis-server")) {
      RedisTests.unavailable("redis-server is not installed (apt-get install redis-server)");
    }
    RedisServerProcess server = new RedisServerProcess(freePort());
    server.restart();
    return server;
  }

  /** A port nothing listens on (for "Redis is unreachable"). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts (again, after {@link #kill}) on the same port and waits until it answers. */
  public void restart() {
    if (process != null && process.isAlive()) {
      return;
    }
    List<String> command =
        List.of(
            "redis-server",
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no");
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server", e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (RedisTests.pingProblem(url()) != null) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        kill();
        throw new IllegalStateException("redis-server did not start on port " + port);
      }
      sleep(20);
    }
  }

  /** {@code kill -9} of this child, by its PID: Redis vanishes at once. */
  public void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code kill -STOP}: Redis keeps its data and connections but answers nothing. */
  public void pause() {
    signal("-STOP");
  }

  /** {@code kill -CONT}: Redis answers again, starting with what it was sent meanwhile. */
  public void resume() {
    signal("-CONT");
  }

  private void signal(String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", signal, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
  }

  static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (new File(dir, program).canExecute()) {
        return true;
      }
    }
    return false;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
