package org.pentecost.server.ws;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.config.PentecostConfig;

/**
 * Reassembles a connection's frames into messages within the size limits and hands text messages to
 * the router, audio to the publisher. Every frame first passes the connection's limits: the bytes
 * waiting to be sent to it (a client that sends without reading is closed), and its budgets of
 * messages and pings. Broken framing, invalid UTF-8 and frames over the size limit never get here:
 * {@link WsFrameGuard} answers them. One per connection, on its event loop.
 */
final class FrameReader implements Handler<WebSocketFrame> {
  private final Connection c;
  private final PentecostConfig.Connections config;
  private final ActionRouter router;
  private final java.util.function.BiConsumer<Connection, Buffer> audio;
  private Buffer pending;
  private boolean pendingText;

  FrameReader(
      Connection c,
      PentecostConfig.Connections config,
      ActionRouter router,
      java.util.function.BiConsumer<Connection, Buffer> audio) {
    this.c = c;
    this.config = config;
    this.router = router;
    this.audio = audio;
  }

  @Override
  public void handle(WebSocketFrame frame) {
    if (!c.checkQueue()) {
      return; // replies and pongs it does not read
    }
    if (c.isClosing()) {
      return;
    }
    c.lastActive = System.currentTimeMillis();
    if (frame.isPing() || frame.type() == io.vertx.core.http.WebSocketFrameType.PONG) {
      c.takePing(); // the pong to a ping is already on its way (Vert.x answers it)
      return;
    }
    if (!(frame.isText() || frame.isBinary() || frame.isContinuation())) {
      return;
    }
    Buffer data = frame.binaryData();
    if (data.length() > config.maxFrameBytes()) {
      tooLarge("frame of " + data.length() + " bytes exceeds " + config.maxFrameBytes());
      return;
    }
    if (!frame.isContinuation()) {
      pending = null;
      pendingText = frame.isText();
    }
    if (frame.isFinal() && pending == null) {
      deliver(data);
      return;
    }
    if (pending == null) {
      pending = Buffer.buffer();
    }
    if (pending.length() + data.length() > config.maxMessageBytes()) {
      pending = null;
      tooLarge("message exceeds " + config.maxMessageBytes() + " bytes");
      return;
    }
    pending.appendBuffer(data);
    if (frame.isFinal()) {
      Buffer message = pending;
      pending = null;
      deliver(message);
    }
  }

  private void deliver(Buffer message) {
    if ((pendingText || c.role == Role.LISTENER) && !c.takeMessage()) {
      return;
    }
    if (pendingText) {
      router.route(c, message.toString());
    } else if (c.role == Role.LISTENER) {
      c.sendError(
          ErrorCode.ACTION_NOT_ALLOWED, "binary frames carry a speaker's or worker's audio", null);
    } else {
      audio.accept(c, message);
    }
  }

  private void tooLarge(String why) {
    c.sendError(ErrorCode.MESSAGE_TOO_LARGE, why, null);
    c.close(CloseCode.MESSAGE_TOO_BIG, "message too big");
  }
}
