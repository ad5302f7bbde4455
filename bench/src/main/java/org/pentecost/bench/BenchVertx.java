package org.pentecost.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;

/** The generator's Vert.x: its event loops, and as few other threads as Vert.x allows. */
final class BenchVertx {
  private static final long CLOSE_TIMEOUT_MILLIS = 10_000;

  private BenchVertx() {}

  static Vertx create(int eventLoops) {
    return Vertx.builder()
        .with(
            new VertxOptions()
                .setEventLoopPoolSize(eventLoops)
                .setWorkerPoolSize(2)
                .setInternalBlockingPoolSize(2))
        .build();
  }

  /** Closes it, waiting 10 s at most; a failure is reported on {@code err}, not thrown. */
  static void close(Vertx vertx, PrintStream err) {
    try {
      Waits.await(vertx.close(), CLOSE_TIMEOUT_MILLIS);
    } catch (Exception e) {
      Waits.log(err, "Vert.x did not close cleanly: " + e);
    }
  }
}
