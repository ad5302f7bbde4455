package org.pentecost.server.health;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Whether every event loop of a node still runs tasks: each loop stamps the time on a trivial
 * periodic task of its own; a loop whose stamp is older than the limit is stalled (blocked by code
 * that should never block it, or starved). Reading the stamps costs nothing, so the liveness probe
 * answers at once, without queueing anything behind a loop that may be stuck.
 */
public final class EventLoopWatch implements AutoCloseable {
  private final AtomicLongArray ticks;
  private final List<ScheduledFuture<?>> scheduled = new ArrayList<>();
  private final long limitNanos;

  /**
   * Starts stamping on every event loop of {@code vertx}; a loop is stalled once its last stamp is
   * older than {@code limit}.
   */
  public EventLoopWatch(Vertx vertx, Duration limit) {
    this.limitNanos = limit.toNanos();
    List<EventExecutor> loops = new ArrayList<>();
    ((VertxInternal) vertx).nettyEventLoopGroup().forEach(loops::add);
    this.ticks = new AtomicLongArray(loops.size());
    long every = Math.max(50, Math.min(1000, limit.toMillis() / 4));
    long now = System.nanoTime();
    for (int i = 0; i < loops.size(); i++) {
      int index = i;
      ticks.set(i, now);
      scheduled.add(
          loops
              .get(i)
              .scheduleAtFixedRate(
                  () -> ticks.set(index, System.nanoTime()), 0, every, TimeUnit.MILLISECONDS));
    }
  }

  /** How many event loops are watched. */
  public int loops() {
    return ticks.length();
  }

  /** The indexes of the loops that have not run their stamp within the limit. */
  public List<Integer> stalled() {
    long now = System.nanoTime();
    List<Integer> stalled = new ArrayList<>();
    for (int i = 0; i < ticks.length(); i++) {
      if (now - ticks.get(i) > limitNanos) {
        stalled.add(i);
      }
    }
    return stalled;
  }

  /** The longest time, in milliseconds, since any loop last ran its stamp. */
  public long worstDelayMillis() {
    long now = System.nanoTime();
    long worst = 0;
    for (int i = 0; i < ticks.length(); i++) {
      worst = Math.max(worst, now - ticks.get(i));
    }
    return TimeUnit.NANOSECONDS.toMillis(worst);
  }

  @Override
  public void close() {
    scheduled.forEach(f -> f.cancel(false));
  }
}
