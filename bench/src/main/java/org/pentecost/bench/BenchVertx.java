package org.pentecost.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The frame of a subcommand's run: the generator's Vert.x (its event loops, and as few other
 * threads as Vert.x allows), stdout and stderr in UTF-8, and a watchdog behind it all.
 */
final class BenchVertx {
  private static final long CLOSE_TIMEOUT_MILLIS = 10_000;

  /** A subcommand's run: returns its exit status. */
  interface Body {
    int run(Vertx vertx, PrintStream out, PrintStream err) throws Exception;
  }

  private BenchVertx() {}

  /**
   * Runs {@code body} on a Vert.x with {@code eventLoops} event loops, then closes it; should the
   * run still go at {@code haltAt} ({@link System#nanoTime()}), the process prints {@code
   * haltMessage} and ends.
   */
  static int run(int eventLoops, long haltAt, String haltMessage, Body body) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    Thread watchdog = Waits.watchdog(haltAt, haltMessage, err);
    Vertx vertx =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setEventLoopPoolSize(eventLoops)
                    .setWorkerPoolSize(2)
                    .setInternalBlockingPoolSize(2))
            .build();
    try {
      return body.run(vertx, out, err);
    } finally {
      try {
        Waits.await(vertx.close(), CLOSE_TIMEOUT_MILLIS);
      } catch (Exception e) {
        Waits.log(err, "Vert.x did not close cleanly: " + e);
      }
      watchdog.interrupt();
    }
  }
}
