package org.pentecost.server.broadcast;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The sockets of one event loop written to since its last flush. Used on that loop only: {@link
 * #add} queues the flush task once per batch, {@link #run} flushes each socket once and records the
 * latency of the frames the batch carried.
 */
final class LoopFlusher implements Runnable {
  private final EventExecutor loop;
  private final Counter flushes;
  private AudioOut[] pending = new AudioOut[64];
  private int count;
  private long[] stampNanos = new long[16];
  private Timer[] stampTimers = new Timer[16];
  private int stamps;
  private boolean scheduled;

  LoopFlusher(EventExecutor loop, Counter flushes) {
    this.loop = loop;
    this.flushes = flushes;
  }

  /** {@code out} has its first frame of this batch. */
  void add(AudioOut out) {
    if (count == pending.length) {
      pending = Arrays.copyOf(pending, count * 2);
    }
    pending[count++] = out;
    if (!scheduled) {
      scheduled = true;
      loop.execute(this);
    }
  }

  /** A frame in this batch arrived at {@code receivedNanos}; its latency ends at the flush. */
  void stamp(long receivedNanos, Timer timer) {
    if (stamps == stampNanos.length) {
      stampNanos = Arrays.copyOf(stampNanos, stamps * 2);
      stampTimers = Arrays.copyOf(stampTimers, stamps * 2);
    }
    stampNanos[stamps] = receivedNanos;
    stampTimers[stamps] = timer;
    stamps++;
  }

  @Override
  public void run() {
    scheduled = false;
    int n = count;
    for (int i = 0; i < n; i++) {
      AudioOut out = pending[i];
      pending[i] = null;
      if (out.isClosing()) {
        // Nothing may follow the close frame; the client resumes from what it received.
        out.clearBatch();
        continue;
      }
      out.flush();
    }
    count = 0;
    flushes.increment(n);
    long now = System.nanoTime();
    for (int i = 0; i < stamps; i++) {
      stampTimers[i].record(now - stampNanos[i], TimeUnit.NANOSECONDS);
      stampTimers[i] = null;
    }
    stamps = 0;
  }
}
