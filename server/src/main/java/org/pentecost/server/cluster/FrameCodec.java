package org.pentecost.server.cluster;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.pentecost.protocol.AudioFrame;
import org.pentecost.server.cluster.Broker.Frame;

/**
 * A {@link Frame} ↔ the bytes that carry it on its stream's channel and in its window list:
 *
 * <pre>
 * [origin length: 1][origin node id: UTF-8][seq: 8][duration µs: 8][audio header: 16][payload]
 * </pre>
 *
 * The stream (session and language) is the channel's and the list's name, not in the bytes.
 */
final class FrameCodec {
  /** The longest node id a frame can carry, in UTF-8 bytes. */
  static final int MAX_ORIGIN_BYTES = 255;

  private FrameCodec() {}

  /** The bytes that name {@code nodeId} as a frame's origin; refuses an id too long for them. */
  static byte[] origin(String nodeId) {
    byte[] origin = nodeId.getBytes(StandardCharsets.UTF_8);
    if (origin.length > MAX_ORIGIN_BYTES) {
      throw new IllegalArgumentException(
          "node id longer than " + MAX_ORIGIN_BYTES + " bytes: " + nodeId);
    }
    return origin;
  }

  static Buffer encode(Frame f) {
    byte[] origin = origin(f.origin());
    Buffer b = Buffer.buffer(1 + origin.length + 16 + f.audio().length());
    b.appendByte((byte) origin.length).appendBytes(origin);
    return b.appendLong(f.seq()).appendLong(f.durationMicros()).appendBuffer(f.audio());
  }

  /** Whether {@code bytes} are a frame whose origin is {@code origin} (see {@link #origin}). */
  static boolean isFrom(Buffer bytes, byte[] origin) {
    return bytes.length() > origin.length
        && bytes.getUnsignedByte(0) == origin.length
        && Arrays.equals(bytes.getBytes(1, 1 + origin.length), origin);
  }

  /** The frame of the stream in {@code bytes}; refuses bytes too short to hold one. */
  static Frame decode(String sessionId, String language, Buffer bytes) {
    if (bytes.length() < 1) {
      throw new IllegalArgumentException("an empty frame");
    }
    int n = bytes.getUnsignedByte(0);
    int audio = 1 + n + 16;
    if (bytes.length() < audio + AudioFrame.HEADER_BYTES) {
      throw new IllegalArgumentException(
          "a frame cut short: "
              + bytes.length()
              + " bytes, at least "
              + (audio + AudioFrame.HEADER_BYTES)
              + " needed");
    }
    return new Frame(
        sessionId,
        language,
        bytes.getString(1, 1 + n, "UTF-8"),
        bytes.getLong(1 + n),
        bytes.getLong(9 + n),
        bytes.getBuffer(audio, bytes.length()));
  }
}
