package org.pentecost.server.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A speaker that streams frames in real time from its own thread: {@link StreamCheck#payload
 * marked} frames of a fixed size, one per frame duration, until closed. When it falls behind its
 * schedule (its thread or the test machine stalled), it catches up at twice the rate rather than in
 * one burst, as a live source does; it counts how far behind it ever was.
 */
public final class PacedSpeaker implements AutoCloseable {
  private final WsClient client;
  private final int frameBytes;
  private final long frameNanos;
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicLong maxBehindNanos = new AtomicLong();
  private final Thread thread;

  private PacedSpeaker(WsClient client, int frameBytes, Duration frame) {
    this.client = client;
    this.frameBytes = frameBytes;
    this.frameNanos = frame.toNanos();
    this.thread = new Thread(this::run, "paced-speaker");
    this.thread.setDaemon(true);
  }

  /** Starts sending frames of {@code frameBytes}, one every {@code frame}, on {@code client}. */
  public static PacedSpeaker start(WsClient client, int frameBytes, Duration frame) {
    PacedSpeaker s = new PacedSpeaker(client, frameBytes, frame);
    s.thread.start();
    return s;
  }

  private void run() {
    long next = System.nanoTime();
    try {
      while (!Thread.currentThread().isInterrupted()) {
        client.sendBinary(StreamCheck.payload(sent.get(), frameBytes));
        sent.incrementAndGet();
        next += frameNanos;
        long wait = next - System.nanoTime();
        maxBehindNanos.accumulateAndGet(-wait, Math::max);
        Thread.sleep(Duration.ofNanos(Math.max(wait, frameNanos / 2)).toMillis());
      }
    } catch (InterruptedException e) {
      // closed
    } catch (RuntimeException e) {
      // the connection failed: the frames sent so far are the stream
    }
  }

  /** Frames sent so far. */
  public int sent() {
    return sent.get();
  }

  /** How far behind its schedule it ever was. */
  public Duration maxBehind() {
    return Duration.ofNanos(maxBehindNanos.get());
  }

  /** Stops sending (after the frame under way) and waits for its thread. */
  @Override
  public void close() throws InterruptedException {
    thread.interrupt();
    thread.join(10_000);
  }
}
