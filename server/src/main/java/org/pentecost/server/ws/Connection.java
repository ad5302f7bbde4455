package org.pentecost.server.ws;

import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.protocol.Messages;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.broadcast.AudioOut;

/**
 * One admitted WebSocket connection: its identity (fixed at admission), its text messages, its
 * inbound budgets and the bound on what waits to be sent to it. Its audio side is its {@link
 * AudioOut}. The mutable fields say what guards them.
 */
final class Connection {
  final String id;
  final ServerWebSocket socket;

  /** The context the socket was accepted on; timers and reads run here. */
  final Context context;

  /** Its outgoing audio: what the fan-out writes to. */
  final AudioOut out;

  /** The node's limits on what one connection may cost. */
  final ConnectionLimits limits;

  /** Answers broken framing below Vert.x; once it has, nothing more may be written. */
  private final WsFrameGuard guard;

  final InetAddress clientIp;
  final long connectedAt;
  final Role role;
  final String sessionId;

  /** The client's {@code User-Agent} at the handshake (null if none); set once at admission. */
  String userAgent;

  /** The speaker's or worker's user id; null for listeners. */
  final String userId;

  /** The listener's or worker's language; changed by switchLanguage under the room's lock. */
  volatile String language;

  /** Last time anything arrived from the client (epoch ms); written on the owning event loop. */
  volatile long lastActive;

  /**
   * Whether this connection holds one place in the session's listener count. Exactly one party
   * clears it: the close handler (which then frees the place) or a refresh (which hands the place
   * to the new connection). That is what keeps counts exact whatever order things happen in.
   */
  final AtomicBoolean counted = new AtomicBoolean();

  /** Set once: the connection is on its way out (closed, or replaced by a refresh/takeover). */
  final AtomicBoolean retired = new AtomicBoolean();

  /**
   * The stream this connection hears: its target language, or the source language while that has no
   * stream and the listener asked for {@code fallback=source}. Guarded by the room's lock.
   */
  volatile String audioLanguage;

  /** The listener asked to hear the source audio while its language has no stream. */
  boolean fallback;

  /**
   * A captions-only listener ({@code audio=none}): it follows a stream (its language, captions,
   * stream messages) but is never subscribed to its frames.
   */
  boolean audioNone;

  /** What a speaker or worker publishes; null for listeners. */
  AudioFormat format;

  /** The handshake's {@code Host}, for route events (null if none); set once at admission. */
  String domainName;

  /** The {@code context} the backend's {@code $connect} answered with; null for none. */
  volatile JsonObject routeContext;

  /**
   * The backend knows this connection ({@code $connect} passed, or none is configured), so one
   * {@code $disconnect} is owed; whoever clears it sends it.
   */
  final AtomicBoolean backendKnows = new AtomicBoolean();

  /** Which lifecycle notices were sent (refresh required, warning); the sweeper's thread only. */
  boolean refreshRequested;

  boolean warned;

  /** Inbound budgets, created on first use; own event loop only. */
  private io.github.bucket4j.Bucket messageBudget;

  private io.github.bucket4j.Bucket pingBudget;

  /** Text messages and their bytes written, for the access line (rare: not the audio path). */
  final java.util.concurrent.atomic.AtomicLong textOut =
      new java.util.concurrent.atomic.AtomicLong();

  final java.util.concurrent.atomic.AtomicLong textBytesOut =
      new java.util.concurrent.atomic.AtomicLong();

  /** The close code and reason the server sent, if it closed first; null otherwise. */
  volatile CloseCode closedWith;

  volatile String closeReason;

  /** Set once the connection went past {@code maxQueuedBytes}; own event loop only. */
  private boolean overflowed;

  Connection(
      String id,
      ServerWebSocket socket,
      ConnectionLimits limits,
      Context context,
      InetAddress clientIp,
      long connectedAt,
      Role role,
      String sessionId,
      String userId,
      String language) {
    this.id = id;
    this.socket = socket;
    this.limits = limits;
    this.out = new AudioOut(socket, context);
    this.guard = WsFrameGuard.of(socket);
    if (guard != null) {
      guard.onViolation(out::markClosing);
    }
    this.context = context;
    this.clientIp = clientIp;
    this.connectedAt = connectedAt;
    this.lastActive = connectedAt;
    this.role = role;
    this.sessionId = sessionId;
    this.userId = userId;
    this.language = language;
  }

  /** Whether nothing more may be written to this connection. */
  boolean isClosing() {
    return out.isClosing();
  }

  /** Messages held back until sessionJoined; guarded by {@code this}. */
  private List<String> early;

  /** Sends a server message unless the connection is closing. Safe from any thread. */
  void send(JsonObject message) {
    sendText(message.encode());
  }

  /** Sends pre-encoded text to this connection (fan-out encodes once for many). */
  void sendText(String encoded) {
    offer(encoded);
  }

  /**
   * Sends pre-encoded text; false when the connection could not take it: it is closing, or the text
   * would go past its queue bound (it is then closed as a slow consumer). Safe from any thread.
   */
  boolean offer(String encoded) {
    if (isClosing()) {
      return false;
    }
    // Until sessionJoined is out (the AudioOut opens with it), messages from other threads
    // (listener stats, broadcasts) are held back, so that sessionJoined is always first.
    if (!out.isOpen()) {
      synchronized (this) {
        if (!out.isOpen()) {
          if (early == null) {
            early = new ArrayList<>();
          }
          early.add(encoded);
          return true;
        }
      }
    }
    return write(encoded);
  }

  /** Sends {@code sessionJoined}, then whatever was held back for it. */
  void announce(JsonObject joined) {
    announce(joined, null);
  }

  /**
   * Sends {@code sessionJoined}, then {@code next} (a refresh's {@code connectionRefreshComplete};
   * may be null), then whatever was held back for them.
   */
  void announce(JsonObject joined, JsonObject next) {
    synchronized (this) {
      write(joined.encode());
      if (next != null) {
        write(next.encode());
      }
      if (early != null) {
        early.forEach(this::write);
        early = null;
      }
      out.open();
    }
  }

  private boolean write(String encoded) {
    if (isClosing()) {
      return false;
    }
    if (queuedBytes() + encoded.length() > limits.maxQueuedBytes()) {
      context.runOnContext(v -> overflow());
      return false;
    }
    out.beforeText(); // audio batched before this message goes first
    textOut.incrementAndGet();
    textBytesOut.addAndGet(encoded.length());
    socket.writeTextMessage(encoded);
    return true;
  }

  /**
   * Bytes waiting to be sent on this connection that the kernel has not taken: replies, pongs,
   * server messages and audio alike.
   */
  long queuedBytes() {
    return out.queuedBytes();
  }

  /** Whether more than {@code maxQueuedBytes} wait to be sent; closes the connection if so. */
  boolean checkQueue() {
    if (queuedBytes() > limits.maxQueuedBytes()) {
      overflow();
      return false;
    }
    return true;
  }

  /**
   * The client does not read what is sent to it: nothing more is read from it or queued for it, it
   * is closed with {@link CloseCode#SLOW_CONSUMER}, and dropped if it has not taken the close frame
   * (which waits behind its backlog) by the close deadline; one that was closing already is dropped
   * at once. Own event loop only.
   */
  void overflow() {
    if (overflowed) {
      return;
    }
    overflowed = true;
    limits.overflowed();
    stopReading();
    if (isClosing()) {
      abort();
      return;
    }
    close(CloseCode.SLOW_CONSUMER, "not reading what the server sends");
  }

  /**
   * Takes one inbound message from this connection's budget. Past it the client is told {@code
   * RATE_LIMITED} and the connection is closed (4429). Own event loop only.
   */
  boolean takeMessage() {
    if (messageBudget == null) {
      messageBudget = limits.newMessageBudget();
    }
    return take(messageBudget, "messages", limits.messagesPerSecond());
  }

  /** Takes one ping (or unsolicited pong) from this connection's budget, as above. */
  boolean takePing() {
    if (pingBudget == null) {
      pingBudget = limits.newPingBudget();
    }
    return take(pingBudget, "pings", limits.pingsPerSecond());
  }

  private boolean take(io.github.bucket4j.Bucket budget, String what, long perSecond) {
    if (budget.tryConsume(1)) {
      return true;
    }
    if (!isClosing()) {
      limits.rateLimited();
      sendError(
          ErrorCode.RATE_LIMITED,
          "more than " + perSecond + " " + what + " per second on one connection",
          1000L);
      close(CloseCode.RATE_LIMITED, "too many " + what);
      stopReading(); // nothing more of its input is read, so nothing more is answered
    }
    return false;
  }

  /** Nothing more the client sends is read or answered, its close frame apart. */
  private void stopReading() {
    socket.pause();
    if (guard != null) {
      guard.discardInput();
    }
  }

  /** An {@code error} message, without closing. */
  void sendError(ErrorCode code, String message, Long retryAfterMs) {
    send(WsMessages.error(code, message, retryAfterMs));
  }

  /** Closes with a code; the close handler does the clean-up. */
  void close(CloseCode code, String reason) {
    if (!isClosing()) {
      // Vert.x reports the socket open until the peer answers, but nothing may follow a close
      // frame: browsers fail the connection (1006) and never show the close code.
      out.markClosing();
      closedBy(code, reason);
      socket.close((short) code.code(), reason);
      // Vert.x's closing time-out starts only once the close frame is written, which never happens
      // for a client that reads nothing: such a client is dropped after the deadline.
      context
          .owner()
          .setTimer(
              limits.closeDeadlineMillis(),
              t ->
                  context.runOnContext(
                      v -> {
                        if (!socket.isClosed()) {
                          abort();
                        }
                      }));
    }
  }

  /** Records that the server closes this connection with {@code code}, for its access line. */
  void closedBy(CloseCode code, String reason) {
    if (closedWith == null) {
      closeReason = reason;
      closedWith = code;
    }
  }

  /** Drops the TCP connection without a close handshake (see {@link AudioOut#abort}). */
  void abort() {
    out.abort();
  }

  /** The query a client uses to refresh this connection. */
  String refreshQuery() {
    return Messages.Q_ACTION
        + "="
        + Messages.REFRESH_CONNECTION
        + "&"
        + Messages.Q_PREVIOUS_CONNECTION_ID
        + "="
        + id;
  }

  @Override
  public String toString() {
    return role.wire() + " " + id + " of " + sessionId;
  }
}
