package org.pentecost.server.broadcast;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * A listener's outgoing side, as the fan-out sees it: where pre-encoded frames enter its socket,
 * the frames waiting for its event loop's next flush, how far behind it is, and whether anything
 * may still be written. The one class that reaches into Netty's pipeline and Vert.x's internals for
 * the audio path, so that a Vert.x upgrade touches one file.
 *
 * <p>Fields marked "own loop" are read and written only on the socket's event loop.
 */
public final class AudioOut {
  /** The Vert.x socket; null when built from its parts (no server). */
  private final ServerWebSocket socket;

  /**
   * The event loop's own context (not the connection's duplicate of it): the fan-out groups
   * audiences by it, so that one task per event loop writes a frame to all of that loop's
   * listeners.
   */
  private final Context loop;

  /** The socket's channel, for its queue of unsent bytes; null when not a Netty-backed socket. */
  private final Channel channel;

  /** Whether the socket is closed. */
  private final BooleanSupplier closed;

  /**
   * Where audio enters the pipeline: just below the WebSocket encoder, since frames arrive already
   * encoded ({@link WireFrame}). Resolved on first use; own loop.
   */
  private ChannelHandlerContext encoded;

  /** The flusher of this socket's event loop, once written to; own loop. */
  LoopFlusher flusher;

  /** Frames waiting for the loop's next flush, their count and bytes; own loop. */
  private WireFrame[] batch;

  private int batchCount;
  private int batchBytes;

  /**
   * Audio frames and their bytes handed to the socket, for the connection's access line; own loop.
   */
  private long framesOut;

  private long bytesOut;

  /** Since when this listener has been too far behind (epoch ms), 0 if it is not; own loop. */
  long lagSince;

  /** Frames were skipped for this listener: the next one carries DISCONTINUITY; own loop. */
  boolean skipped;

  /** Audio may be written: the connection announced itself first (its sessionJoined is out). */
  private volatile boolean open;

  /** Set when the connection starts closing: nothing may follow its close frame. */
  private volatile boolean closing;

  public AudioOut(ServerWebSocket socket, Context context) {
    this(
        socket,
        socket instanceof WebSocketInternal internal
            ? internal.channelHandlerContext().channel()
            : null,
        context,
        socket::isClosed);
  }

  /**
   * A listener's outgoing side from its parts, with no Vert.x socket (for tests): a channel whose
   * pipeline has a WebSocket encoder, the event loop it is grouped under, and whether it is closed.
   */
  AudioOut(Channel channel, Context context, BooleanSupplier closed) {
    this(null, channel, context, closed);
  }

  private AudioOut(
      ServerWebSocket socket, Channel channel, Context context, BooleanSupplier closed) {
    this.socket = socket;
    this.channel = channel;
    this.loop = ((ContextInternal) context).unwrap();
    this.closed = closed;
  }

  /** The event loop this socket is written on. */
  public Context loop() {
    return loop;
  }

  /** From now on audio may be written (after the connection's first message). */
  public void open() {
    open = true;
  }

  public boolean isOpen() {
    return open;
  }

  /** Nothing more may be written: the close frame is on its way. */
  public void markClosing() {
    closing = true;
  }

  /** Whether nothing more may be written to this socket. */
  public boolean isClosing() {
    return closing || closed.getAsBoolean();
  }

  /** The next frame this listener gets carries DISCONTINUITY (it joins live, not where it was). */
  public void skip() {
    skipped = true;
  }

  /**
   * Bytes waiting to be sent that the kernel has not taken: audio and text alike (the batch not yet
   * handed to the socket is not counted).
   */
  public long queuedBytes() {
    ChannelOutboundBuffer queued = channel == null ? null : channel.unsafe().outboundBuffer();
    return queued == null ? 0 : queued.totalPendingWriteBytes();
  }

  /**
   * Called before a text message is written, on any thread: on the socket's own loop, audio batched
   * before it is handed over first, so that the message never overtakes it.
   */
  public void beforeText() {
    if (batchCount > 0 && encoded != null && encoded.executor().inEventLoop()) {
      writeBatch();
    }
  }

  /**
   * Drops the TCP connection without waiting for a close handshake: for a peer that no longer
   * reads, whose close frame would wait behind everything else it has not read.
   */
  public void abort() {
    if (channel != null) {
      // From the head of the pipeline: handlers further up would hold the close back until the
      // backlog (which this peer does not read) is flushed.
      ChannelPipeline pipeline = channel.pipeline();
      ChannelHandlerContext first = pipeline.firstContext();
      if (first != null) {
        first.close();
      } else {
        channel.close();
      }
    } else {
      socket.close();
    }
  }

  /** Where pre-encoded frames go, or null when the socket has no WebSocket encoder to bypass. */
  ChannelHandlerContext encoded() {
    if (encoded == null && channel != null) {
      encoded = channel.pipeline().context(WebSocketFrameEncoder.class);
    }
    return encoded;
  }

  /** A frame for a socket that has no encoder to bypass, through Vert.x. */
  void writeThroughVertx(WireFrame frame) {
    socket.writeBinaryMessage(frame.audio());
  }

  /** Queues a frame for the next flush; true if it is the first of this batch. Own loop. */
  boolean batch(WireFrame frame) {
    if (batch == null) {
      batch = new WireFrame[4];
    } else if (batchCount == batch.length) {
      batch = Arrays.copyOf(batch, batchCount * 2);
    }
    batch[batchCount++] = frame;
    batchBytes += frame.length();
    return batchCount == 1;
  }

  void clearBatch() {
    if (batchCount > 0) {
      Arrays.fill(batch, 0, batchCount, null);
      batchCount = 0;
      batchBytes = 0;
    }
  }

  /**
   * Hands the batched frames to the socket, without flushing: one frame as it is, several copied
   * into one buffer, so that they cost one entry in the socket's queue and leave in one system
   * call. Own loop.
   */
  void writeBatch() {
    int n = batchCount;
    if (n == 0) {
      return;
    }
    ChannelHandlerContext out = encoded();
    framesOut += n;
    bytesOut += batchBytes;
    if (n == 1) {
      out.write(batch[0].forWrite(), out.voidPromise());
    } else {
      ByteBuf joined = out.alloc().directBuffer(batchBytes);
      for (int i = 0; i < n; i++) {
        batch[i].copyTo(joined);
      }
      out.write(joined, out.voidPromise());
    }
    clearBatch();
  }

  /** Audio frames handed to the socket so far. Own loop. */
  public long framesOut() {
    return framesOut;
  }

  /** Bytes of audio frames (WebSocket framing included) handed to the socket so far. Own loop. */
  public long bytesOut() {
    return bytesOut;
  }

  /** Hands the batch over and flushes the socket. Own loop. */
  void flush() {
    writeBatch();
    encoded().flush();
  }
}
