package org.pentecost.bench;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import org.pentecost.protocol.AudioFrame;

/**
 * One lean listener WebSocket: reads the 16-byte header's flags and sequence and the payload's
 * first 8 bytes (the send time), straight from the buffer Vert.x hands over; nothing else is
 * allocated per frame. Touched only on its event loop.
 */
final class FanoutListener implements Handler<Buffer> {
  static final int CONNECTING = 0;
  static final int JOINED = 1;
  static final int REJECTED = 2;
  static final int CLOSING = 3;
  static final int CLOSED = 4;

  /** Header plus the send time at the payload's start. */
  static final int MIN_FRAME = AudioFrame.HEADER_BYTES + 8;

  final FanoutCounters counters;
  final int index;
  final int session;

  /** Index of the listener target (--listener-url) this listener connects to. */
  final int target;

  final String uri;
  ClientWebSocket ws;
  int state = CONNECTING;

  /** The last sequence received, 0 before the first. */
  long lastSeq;

  /** {@code counters}: those of this listener's loop and target. */
  FanoutListener(FanoutCounters counters, int index, int session, int target, String uri) {
    this.counters = counters;
    this.index = index;
    this.session = session;
    this.target = target;
    this.uri = uri;
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
