package org.pentecost.bench;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import org.pentecost.protocol.AudioFrame;

/**
 * The audio frames of one listener WebSocket: reads the 16-byte header's flags and sequence and the
 * payload's first 8 bytes (the send time), straight from the buffer Vert.x hands over; nothing else
 * is allocated per frame. Its connection's states are in {@link ListenerConnection}. Touched only
 * on its event loop.
 */
final class FanoutListener implements Handler<Buffer> {
  /** Header plus the send time at the payload's start. */
  static final int MIN_FRAME = AudioFrame.HEADER_BYTES + 8;

  private final FanoutCounters counters;

  /** The last sequence received, 0 before the first. */
  private long lastSeq;

  /** {@code counters}: those of this listener's loop and target. */
  FanoutListener(FanoutCounters counters) {
    this.counters = counters;
  }

  @Override
  public void handle(Buffer frame) {
    long now = System.nanoTime();
    if (frame.length() < MIN_FRAME) {
      counters.malformed++;
      return;
    }
    lastSeq =
        counters.frame(
            lastSeq,
            frame.getUnsignedByte(1),
            frame.getUnsignedInt(4),
            frame.getLong(AudioFrame.HEADER_BYTES),
            now);
  }
}
