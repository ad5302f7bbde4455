package org.pentecost.server.broadcast;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.pentecost.protocol.AudioFrame;

/**
 * A listener's socket with no server: an {@link EmbeddedChannel} whose pipeline has the server's
 * WebSocket encoder, and the {@link AudioOut} over it. The channel's event loop runs only when the
 * test says ({@link #runLoop}), so a test sees what one turn of it flushes; what was flushed is
 * read back as a WebSocket client decodes it.
 */
final class EmbeddedListener {
  final EmbeddedChannel channel = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
  final AudioOut out;
  private volatile boolean closed;

  /** What {@link #unread} wrote, to tell it from audio. */
  private final Set<Object> unread = Collections.newSetFromMap(new IdentityHashMap<>());

  /** A listener grouped under the event loop {@code loop}, not open yet. */
  EmbeddedListener(Context loop) {
    out = new AudioOut(channel, loop, () -> closed);
  }

  /** An open listener: its sessionJoined is out, audio may follow. */
  static EmbeddedListener open(Context loop) {
    EmbeddedListener l = new EmbeddedListener(loop);
    l.out.open();
    return l;
  }

  /** The socket is closed (by the peer or the server): nothing may be written any more. */
  void closed() {
    closed = true;
  }

  /** One turn of the socket's event loop: the flushes queued for it run. */
  void runLoop() {
    channel.runPendingTasks();
  }

  /** Bytes queued on the socket that the peer does not read: written, never flushed. */
  void unread(int bytes) {
    ByteBuf notAudio = Unpooled.wrappedBuffer(new byte[bytes]);
    unread.add(notAudio);
    channel.write(notAudio);
  }

  /** The peer reads everything queued so far. */
  void readAll() {
    channel.flush();
  }

  /** Bytes queued that the peer has not read, as the fan-out measures them. */
  long queued() {
    return out.queuedBytes();
  }

  /**
   * What was flushed since the last call: one list per buffer handed to the socket, holding the
   * audio frames (16-byte header and payload) a WebSocket client decodes from it, in order. What
   * {@link #unread} wrote is left out.
   */
  List<List<byte[]>> flushed() {
    List<List<byte[]>> buffers = new ArrayList<>();
    for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
      if (unread.remove(b)) {
        b.release();
      } else {
        buffers.add(decode(b));
      }
    }
    return buffers;
  }

  /** The headers of every audio frame flushed since the last call, in order. */
  List<AudioFrame.Header> frames() {
    List<AudioFrame.Header> headers = new ArrayList<>();
    for (List<byte[]> buffer : flushed()) {
      buffer.forEach(f -> headers.add(AudioFrame.readHeader(f)));
    }
    return headers;
  }

  private static List<byte[]> decode(ByteBuf wire) {
    EmbeddedChannel client =
        new EmbeddedChannel(
            new WebSocket13FrameDecoder(
                WebSocketDecoderConfig.newBuilder()
                    .expectMaskedFrames(false)
                    .maxFramePayloadLength(1 << 20)
                    .build()));
    client.writeInbound(wire);
    List<byte[]> frames = new ArrayList<>();
    for (BinaryWebSocketFrame f; (f = client.readInbound()) != null; ) {
      frames.add(ByteBufUtil.getBytes(f.content()));
      f.release();
    }
    if (client.finishAndReleaseAll()) {
      throw new AssertionError("bytes left over that are not a whole WebSocket frame");
    }
    return frames;
  }
}
