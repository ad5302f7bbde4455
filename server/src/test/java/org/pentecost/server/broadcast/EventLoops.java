package org.pentecost.server.broadcast;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real Vert.x event loops for a test class, as a JUnit extension: the contexts audiences are
 * grouped by, and a way to run code on one of them and wait for it, as a node's event loop would.
 *
 * <pre>{@code @RegisterExtension static final EventLoops loops = new EventLoops();}</pre>
 */
final class EventLoops implements BeforeAllCallback, AfterAllCallback {
  private Vertx vertx;

  @Override
  public void beforeAll(ExtensionContext context) {
    vertx = Vertx.vertx();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A new event-loop context (each call, another key). */
  Context newLoop() {
    return ((VertxInternal) vertx).createEventLoopContext();
  }

  /** Runs {@code task} on {@code loop} and waits (10 s at most) until it has run. */
  static void run(Context loop, Runnable task) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.runOnContext(
        v -> {
          try {
            task.run();
            done.complete(null);
          } catch (Throwable t) {
            done.completeExceptionally(t);
          }
        });
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the task on the event loop failed", e);
    }
  }
}
