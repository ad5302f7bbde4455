package org.pentecost.server.broadcast;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import org.pentecost.protocol.AudioFrame;

/**
 * One audio frame encoded once, as the complete WebSocket binary frame a listener receives: the
 * WebSocket header (server frames are not masked), then the 16-byte audio header and the payload.
 * Every listener's socket gets a duplicate of the same bytes; nothing is copied or encoded per
 * listener.
 *
 * <pre>
 *  +------+-----------------+---------------------+-------------------+
 *  | 0x82 | length (1/3/9 B) | audio header (16 B) | payload           |
 *  +------+-----------------+---------------------+-------------------+
 *  FIN + binary             ^ audioOffset
 * </pre>
 *
 * <p>The bytes live in a direct buffer owned by the garbage collector (no reference counting): a
 * frame may sit in the replay window and in many sockets' queues at once, on several event loops.
 */
public final class WireFrame {
  private static final int FIN_BINARY = 0x82;

  private final ByteBuf bytes;
  private final int audioOffset;

  private WireFrame(ByteBuf bytes, int audioOffset) {
    this.bytes = bytes;
    this.audioOffset = audioOffset;
  }

  /** Encodes a frame: {@code header} is the 16-byte audio header, then the payload. */
  public static WireFrame encode(byte[] header, Buffer payload) {
    int audioBytes = header.length + payload.length();
    int lengthBytes = audioBytes < 126 ? 1 : audioBytes <= 0xFFFF ? 3 : 9;
    ByteBuffer out = ByteBuffer.allocateDirect(1 + lengthBytes + audioBytes);
    out.put((byte) FIN_BINARY);
    if (lengthBytes == 1) {
      out.put((byte) audioBytes);
    } else if (lengthBytes == 3) {
      out.put((byte) 126).putShort((short) audioBytes);
    } else {
      out.put((byte) 127).putLong(audioBytes);
    }
    int audioOffset = out.position();
    out.put(header);
    ByteBuf data = ((BufferInternal) payload).getByteBuf();
    out.put(data.nioBuffer(data.readerIndex(), data.readableBytes()));
    out.flip();
    return new WireFrame(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(out)), audioOffset);
  }

  /** A copy with {@code flags} (see {@link AudioFrame}) added to the audio header's flag byte. */
  public WireFrame withFlags(int flags) {
    ByteBuffer copy = ByteBuffer.allocateDirect(bytes.readableBytes());
    bytes.getBytes(0, copy);
    copy.flip();
    int at = audioOffset + 1;
    copy.put(at, (byte) (copy.get(at) | flags));
    return new WireFrame(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(copy)), audioOffset);
  }

  /** A view of the bytes for one socket write (independent read position, shared memory). */
  public ByteBuf forWrite() {
    return bytes.duplicate();
  }

  /** Appends the bytes to {@code out}. */
  void copyTo(ByteBuf out) {
    out.writeBytes(bytes, 0, bytes.readableBytes());
  }

  /** Bytes on the wire, WebSocket header included. */
  public int length() {
    return bytes.readableBytes();
  }

  /** The audio frame (audio header and payload) without the WebSocket header; a copy. */
  public Buffer audio() {
    byte[] audio = new byte[length() - audioOffset];
    bytes.getBytes(audioOffset, audio);
    return Buffer.buffer(audio);
  }
}
