package org.pentecost.server.ws;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import org.pentecost.protocol.CloseCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's drain on shutdown: every client is asked to refresh now ({@code
 * connectionRefreshRequired}: it reconnects through the load balancer with its {@code lastSeq} and
 * resumes on another node with no gap); once they have gone, or {@code timeoutMs} has passed, the
 * rest are closed with 1001 (going away).
 */
final class Drain {
  private static final Logger LOG = LoggerFactory.getLogger(Drain.class);

  private Drain() {}

  static Future<Void> run(Vertx vertx, ConnectionRegistry registry, long timeoutMs) {
    for (Connection c : registry.connections()) {
      c.send(LifecycleTimers.refreshRequired(c, timeoutMs));
    }
    Promise<Void> drained = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    if (registry.connections().isEmpty() || timeoutMs <= 0) {
      drained.complete();
    } else {
      vertx.setPeriodic(
          50,
          id -> {
            if (registry.connections().isEmpty() || System.currentTimeMillis() >= deadline) {
              vertx.cancelTimer(id);
              drained.tryComplete();
            }
          });
    }
    return drained
        .future()
        .compose(
            v -> {
              int left = registry.connections().size();
              if (left > 0) {
                LOG.info("drain: closing {} connections that did not refresh", left);
              }
              List<Future<Void>> closing = new java.util.ArrayList<>();
              for (Connection c : registry.connections()) {
                c.closedBy(CloseCode.GOING_AWAY, "server shutting down");
                closing.add(
                    c.socket.close((short) CloseCode.GOING_AWAY.code(), "server shutting down"));
              }
              // Wait for the close frames to go out, but not for slow clients to answer them.
              return Future.join(closing)
                  .timeout(2, java.util.concurrent.TimeUnit.SECONDS)
                  .otherwiseEmpty()
                  .mapEmpty();
            });
  }
}
