package org.pentecost.bench;

import io.vertx.core.Handler;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import org.pentecost.protocol.Messages;

/**
 * One listener WebSocket and its states. It is {@link #CONNECTING} until the server's first answer:
 * {@code sessionJoined} makes it {@link #JOINED}, an {@code error} {@link #REJECTED} (the server
 * then closes it), a failed handshake or an early close {@link #CLOSED}. A joined connection is
 * {@link #CLOSING} once the bench closes it and {@link #CLOSED} when the close is done. Each
 * transition is counted in the loop's {@link ListenerTally}; one that frees a handshake slot asks
 * the driver for the next connection. Only the first message is parsed; later ones are counted and
 * dropped. Touched only on its driver's event loop.
 */
final class ListenerConnection implements Handler<String> {
  static final int CONNECTING = 0;
  static final int JOINED = 1;
  static final int REJECTED = 2;
  static final int CLOSING = 3;
  static final int CLOSED = 4;

  /** How the server's compact JSON for sessionJoined begins. */
  static final String JOINED_PREFIX = "{\"type\":\"" + Messages.SESSION_JOINED + "\"";

  private final ListenerDriver driver;
  private final ListenerTally tally;

  /** This connection's place in its driver's share. */
  final int local;

  /** Null once closed or failed. */
  ClientWebSocket ws;

  int state = CONNECTING;

  ListenerConnection(ListenerDriver driver, ListenerTally tally, int local, ClientWebSocket ws) {
    this.driver = driver;
    this.tally = tally;
    this.local = local;
    this.ws = ws;
  }

  /** A text message from the server. */
  @Override
  public void handle(String text) {
    if (state != CONNECTING) {
      tally.messagesAfterJoin++;
      return;
    }
    String type;
    JsonObject msg = null;
    if (text.startsWith(JOINED_PREFIX)) {
      // The server's compact encoding: no need to parse the whole message.
      type = Messages.SESSION_JOINED;
    } else {
      try {
        msg = new JsonObject(text);
        type = msg.getString("type");
      } catch (RuntimeException e) {
        type = "unparseable";
      }
    }
    if (Messages.SESSION_JOINED.equals(type)) {
      state = JOINED;
      tally.joined(local);
      driver.pump();
    } else if (Messages.ERROR.equals(type)) {
      state = REJECTED;
      tally.failed("error:" + msg.getString("code", "?"), msg.getString("message"));
      driver.pump();
    } else {
      // Something before sessionJoined: note it, keep waiting.
      tally.note("unexpected-first:" + type, text);
    }
  }

  /** The handshake failed. */
  void connectFailed(Throwable cause) {
    if (state != CONNECTING) {
      return;
    }
    state = CLOSED;
    ws = null;
    tally.failed(failureKey(cause), String.valueOf(cause.getMessage()));
    driver.pump();
  }

  /** The WebSocket closed, whoever closed it. */
  void closed() {
    ClientWebSocket w = ws;
    Short status = w == null ? null : w.closeStatusCode();
    String code = status == null ? "none" : status.toString();
    switch (state) {
      case CONNECTING -> {
        state = CLOSED;
        tally.failed("close:" + code, w == null ? null : w.closeReason());
        driver.pump();
      }
      case REJECTED -> {
        state = CLOSED;
        tally.rejected(code);
      }
      case JOINED -> {
        state = CLOSED;
        tally.dropped(code);
      }
      case CLOSING -> {
        state = CLOSED;
        tally.closedCleanly();
        driver.closeEnded();
      }
      default -> {
        // already closed
      }
    }
    ws = null;
  }

  /**
   * The bench is done with this connection: a joined one is closed with 1000, and the driver waits
   * for the close; one still in its handshake is abandoned and a rejected one let go, unwaited.
   */
  void close() {
    if (ws == null) {
      return;
    }
    if (state == JOINED) {
      state = CLOSING;
      driver.closeStarted();
      ws.close((short) 1000, "bench done")
          .onFailure(
              e -> {
                // Already gone: count it as closed.
                if (state == CLOSING) {
                  state = CLOSED;
                  tally.closeFailed();
                  driver.closeEnded();
                }
              });
    } else if (state == CONNECTING || state == REJECTED) {
      if (state == CONNECTING) {
        tally.abandoned();
      }
      state = CLOSED;
      ClientWebSocket w = ws;
      ws = null;
      try {
        w.close().onFailure(e -> tally.exceptions++);
      } catch (RuntimeException e) {
        tally.exceptions++;
      }
    }
  }

  /** Failure key for an exception raised while connecting. */
  static String failureKey(Throwable cause) {
    if (cause instanceof UpgradeRejectedException rejected) {
      return "http:" + rejected.getStatus();
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return "connect:" + root.getClass().getSimpleName();
  }
}
