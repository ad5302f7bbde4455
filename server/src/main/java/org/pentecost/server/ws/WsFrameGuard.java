package org.pentecost.server.ws;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.ServerWebSocket;
import java.util.concurrent.TimeUnit;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.util.InputExcerpt;

/**
 * Answers what Netty's WebSocket decoder refuses, where Vert.x would only drop the TCP connection:
 * broken framing (close 1002), invalid UTF-8 in a text message (1007, checked by Netty's {@link
 * Utf8FrameValidator} placed just before this), and a frame over {@code connections.maxFrameBytes}
 * (1009, refused from its header, before its payload is read). The client gets an {@code error}
 * message and the close frame; what it sends after that is discarded, and the connection is closed
 * when the client closes it or after the close time-out, so that the close frame is not lost to a
 * reset. One per connection, in its pipeline just behind the decoder.
 */
final class WsFrameGuard extends ChannelInboundHandlerAdapter {
  private final ConnectionLimits limits;

  /** Set once a violation was answered: nothing more is read from or written to the client. */
  private volatile boolean violated;

  /** Told of the violation (the connection stops writing); set once, when it is admitted. */
  private volatile Runnable onViolation = () -> {};

  /**
   * Set once the connection stopped reading its client: what it sends is discarded, but a close.
   */
  private volatile boolean discarding;

  /** Where the guard sits in its connection's pipeline; set when it is added. */
  private volatile ChannelHandlerContext context;

  WsFrameGuard(ConnectionLimits limits) {
    this.limits = limits;
  }

  /** Places the UTF-8 check and the guard behind {@code ws}'s frame codec; null if it has none. */
  static WsFrameGuard install(ServerWebSocket ws, ConnectionLimits limits) {
    if (!(ws instanceof io.vertx.core.internal.http.WebSocketInternal internal)) {
      return null;
    }
    ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
    if (pipeline.get("wsdecoder") == null || pipeline.get("handler") == null) {
      return null;
    }
    // Behind the frame encoder too (it follows the decoder), so that what the guard writes is
    // encoded on its way out.
    WsFrameGuard guard = new WsFrameGuard(limits);
    pipeline.addBefore("handler", "wsutf8", new Utf8FrameValidator(false));
    pipeline.addBefore("handler", "wsguard", guard);
    return guard;
  }

  /** The guard of {@code ws}'s pipeline, or null. */
  static WsFrameGuard of(ServerWebSocket ws) {
    return ws instanceof io.vertx.core.internal.http.WebSocketInternal internal
        ? internal.channelHandlerContext().pipeline().get(WsFrameGuard.class)
        : null;
  }

  boolean violated() {
    return violated;
  }

  /** Runs {@code action} on a violation, or at once if there was one already. */
  void onViolation(Runnable action) {
    onViolation = action;
    if (violated) {
      action.run();
    }
  }

  /**
   * Stops reading the client, and discards here, before Vert.x sees it, whatever was read already
   * or is read still, its close frame apart. Pausing the socket is not enough: Vert.x answers every
   * ping it reads with a pong, and asks for the next frame after a ping or a pong whether the
   * socket is paused or not.
   */
  void discardInput() {
    discarding = true;
    ChannelHandlerContext in = context;
    if (in != null) {
      in.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (violated || (discarding && !(msg instanceof CloseWebSocketFrame))) {
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof CorruptedWebSocketFrameException corrupt)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    if (violated) {
      return;
    }
    violated = true;
    onViolation.run();
    limits.violated();
    WebSocketCloseStatus status = corrupt.closeStatus();
    ErrorCode code;
    String message;
    if (status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
      code = ErrorCode.MESSAGE_TOO_LARGE;
      message = "a frame exceeds the limit of " + limits.maxFrameBytes() + " bytes";
    } else if (status.code() == WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code()) {
      code = ErrorCode.INVALID_REQUEST;
      message = "a text message is not valid UTF-8";
    } else {
      code = ErrorCode.INVALID_REQUEST;
      message =
          "WebSocket protocol error: " + InputExcerpt.of(String.valueOf(corrupt.getMessage()));
    }
    ctx.write(new TextWebSocketFrame(WsMessages.error(code, message, null).encode()));
    ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), status.reasonText()));
    // Whatever the client still sends is discarded here; it has the close time-out to hang up.
    ctx.executor()
        .schedule(() -> ctx.channel().close(), limits.closeTimeoutMillis(), TimeUnit.MILLISECONDS);
  }
}
