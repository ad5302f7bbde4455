package org.pentecost.server.testing;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.pentecost.protocol.AudioFrame;

/**
 * Reads every audio frame a listener receives, on its own thread, and checks that it heard the
 * speaker's stream whole: sequence numbers from 1 without a gap, no flag (no DISCONTINUITY, no
 * REPLAY), and the marker each payload starts with (its index in the speaker's stream, a big-endian
 * int) in order from 0. Keeps counts and the first breaks, not the frames.
 */
public final class StreamCheck implements AutoCloseable {
  private static final int MAX_PROBLEMS = 20;

  private final WsClient listener;
  private final Thread thread;
  private final List<String> problems = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private volatile boolean stopped;
  private long received;
  private long lastSequence;
  private int lastMarker = -1;
  private int gaps;

  private StreamCheck(WsClient listener) {
    this.listener = listener;
    this.thread = new Thread(this::run, "stream-check");
    this.thread.setDaemon(true);
  }

  /** Starts reading {@code listener}'s frames. */
  public static StreamCheck start(WsClient listener) {
    StreamCheck c = new StreamCheck(listener);
    c.thread.start();
    return c;
  }

  /** The payload of frame {@code index} of a stream: {@code bytes} long, starting with index. */
  public static byte[] payload(int index, int bytes) {
    byte[] b = new byte[bytes];
    ByteBuffer.wrap(b).putInt(index);
    return b;
  }

  private void run() {
    try {
      while (!stopped) {
        byte[] frame = listener.pollFrame(Duration.ofMillis(100));
        if (frame != null) {
          check(frame);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized void check(byte[] frame) {
    AudioFrame.Header h = AudioFrame.readHeader(frame);
    int marker = ByteBuffer.wrap(frame, AudioFrame.HEADER_BYTES, 4).getInt();
    if (h.sequence() != lastSequence + 1 || h.flags() != 0 || marker != lastMarker + 1) {
      gaps++;
      if (problems.size() < MAX_PROBLEMS) {
        problems.add(
            String.format(
                "%.1f s after the start: sequence %d (flags %d, marker %d) after sequence %d",
                (System.nanoTime() - startNanos) / 1e9,
                h.sequence(),
                h.flags(),
                marker,
                lastSequence));
      }
    }
    lastSequence = h.sequence();
    lastMarker = marker;
    received++;
  }

  /** Frames received so far. */
  public synchronized long received() {
    return received;
  }

  /** How many times the stream broke (a gap, a flag, a marker out of order). */
  public synchronized int gaps() {
    return gaps;
  }

  /** The first frames that broke the stream (a gap, a flag, a marker out of order). */
  public synchronized List<String> problems() {
    return List.copyOf(problems);
  }

  /** Waits until {@code count} frames have arrived, or {@code wait} has passed. */
  public boolean awaitReceived(long count, Duration wait) throws InterruptedException {
    long end = System.nanoTime() + wait.toNanos();
    while (received() < count && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    return received() >= count;
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    thread.join(5_000);
  }
}
