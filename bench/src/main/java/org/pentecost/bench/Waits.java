package org.pentecost.bench;

import io.vertx.core.Future;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The subcommands' threads besides Vert.x's: how the main thread waits (for a Vert.x future, until
 * a deadline in {@link System#nanoTime()}), the watchdog that ends a run stuck past its bound, the
 * ticker of the progress lines, and those lines' prefix.
 */
final class Waits {
  private Waits() {}

  /** Milliseconds left until {@code deadline}, at least 1. */
  static long remainingMillis(long deadline) {
    return Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
  }

  /** The future's value; its failure is thrown, and after {@code millis} an IOException. */
  static <T> T await(Future<T> f, long millis) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Exception ex) {
        throw ex;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new IOException("timed out after " + millis + " ms", e);
    }
  }

  /** Whether f completed before the deadline. */
  static boolean awaitUntil(Future<?> f, long deadline) throws Exception {
    try {
      await(f, remainingMillis(deadline));
      return true;
    } catch (IOException e) {
      if (e.getCause() instanceof TimeoutException) {
        return false;
      }
      throw e;
    }
  }

  static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, 1_000_000_000L));
    }
  }

  /** One thread, named bench-progress, that does not keep the JVM alive. */
  static ScheduledExecutorService daemonTicker() {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "bench-progress");
          t.setDaemon(true);
          return t;
        });
  }

  /** A progress line on stderr. */
  static void log(PrintStream err, String message) {
    err.println("bench: " + message);
  }

  /**
   * Last resort: a daemon thread that, unless interrupted first (the run finished), prints {@code
   * message} at {@code nanoTime} and halts the process with status 3.
   */
  static Thread watchdog(long nanoTime, String message, PrintStream err) {
    Thread t =
        new Thread(
            () -> {
              try {
                sleepUntil(nanoTime);
                log(err, message);
                Runtime.getRuntime().halt(3);
              } catch (InterruptedException e) {
                // the run finished
              }
            },
            "bench-watchdog");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
