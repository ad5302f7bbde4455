package org.pentecost.client;

import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.Messages;

/**
 * The decisions of a {@link ClientConnection}: when to refresh, when to switch WebSockets, when to
 * reconnect and when to give up. Runs on the connection's context only.
 */
final class Lifecycle {
  static final String CONTINUITY_LOST = "continuityLost";
  static final String STREAM_STARTED = "streamStarted";

  private final ClientConnection c;

  /** refresh() callers waiting for the new connection id. */
  private final List<Promise<String>> refreshWaiters = new ArrayList<>();

  /** The server asked for a refresh: retry a failed one by itself. */
  private boolean refreshRequired;

  private int refreshFailures;
  private int reconnectAttempts;

  /** The last error's retryAfterMs, spent by the next attempt; 0 when none. */
  private long retryAfterMs;

  /** A pending reconnect or refresh retry, or -1. */
  private long timer = -1;

  /** sessionEnded arrived: nothing to reconnect to. */
  private boolean sessionEnded;

  Lifecycle(ClientConnection c) {
    this.c = c;
  }

  void retryAfter(Object value) {
    if (value instanceof Number n && n.longValue() > 0) {
      retryAfterMs = n.longValue();
    }
  }

  /** A control message on the active WebSocket, before the user sees it. */
  void message(String type, JsonObject msg) {
    switch (type) {
      case Messages.CONNECTION_REFRESH_REQUIRED, Messages.CONNECTION_WARNING -> {
        refreshRequired = true;
        startRefresh();
      }
      case Messages.SESSION_ENDED -> sessionEnded = true;
      case Messages.LANGUAGE_SWITCHED -> c.languageSwitched(msg.getString("targetLanguage"));
      case CONTINUITY_LOST, STREAM_STARTED -> c.resuming = false;
      default -> {
        // nothing to do: the user's listener has it
      }
    }
  }

  void refresh(Promise<String> waiter) {
    if (c.finished || c.closing) {
      waiter.fail(new IllegalStateException("closed"));
      return;
    }
    refreshWaiters.add(waiter);
    startRefresh();
  }

  /** Opens the WebSocket that will take the active one's place, unless one is on its way. */
  private void startRefresh() {
    if (c.pending != null || c.active == null || c.closing || c.finished || timer >= 0) {
      return;
    }
    c.pending = c.open(Socket.Kind.REFRESH);
  }

  /** A pending WebSocket said sessionJoined. */
  void joined(Socket s, JsonObject msg) {
    c.pending = null;
    if (c.closing) {
      s.close((short) 1000, "closed by the client");
      return;
    }
    Socket old = c.active;
    c.activate(s);
    if (s.kind == Socket.Kind.REFRESH && old == null) {
      s.kind = Socket.Kind.RECONNECT;
    }
    switch (s.kind) {
      case INITIAL -> {
        safe(() -> c.listener.onJoined(msg));
        safe(() -> c.listener.onMessage(msg));
        c.joined.complete(c);
      }
      case REFRESH -> {
        refreshRequired = false;
        refreshFailures = 0;
        if (c.draining != null) {
          c.draining.close((short) 1000, "refreshed");
        }
        c.draining = old;
        c.resuming = true;
        old.cancelTimers(c.vertx);
        old.close((short) 1000, "refreshed");
        safe(() -> c.listener.onRefreshed(s.id));
        safe(() -> c.listener.onMessage(msg));
      }
      case RECONNECT -> {
        reconnectAttempts = 0;
        refreshRequired = false;
        c.resuming = true;
        safe(() -> c.listener.onJoined(msg));
        safe(() -> c.listener.onMessage(msg));
      }
    }
    List<Promise<String>> waiters = new ArrayList<>(refreshWaiters);
    refreshWaiters.clear();
    waiters.forEach(p -> p.tryComplete(s.id));
  }

  /** A WebSocket that had not joined closed or failed. */
  void pendingFailed(Socket s, int code, String reason, Throwable cause) {
    failWaiters(code, reason, s);
    switch (s.kind) {
      case INITIAL -> {
        c.joined.tryFail(
            cause != null ? cause : new ConnectionRejectedException(code, reason, s.error));
        c.release();
      }
      case REFRESH -> {
        refreshFailures++;
        if (refreshRequired
            && !c.closing
            && reconnectable(code)
            && refreshFailures <= c.settings.maxReconnectAttempts()) {
          long delay = c.settings.backoff().delay(refreshFailures - 1, takeRetryAfter(), false);
          timer = schedule(delay, this::startRefresh);
        }
      }
      case RECONNECT -> {
        if (c.closing) {
          finish(1000, "closed by the client");
        } else if (sessionEnded
            || !reconnectable(code)
            || reconnectAttempts >= c.settings.maxReconnectAttempts()) {
          finish(code, reason);
        } else {
          scheduleReconnect(code);
        }
      }
    }
  }

  /** The active WebSocket closed. */
  void activeLost(int code, String reason) {
    if (c.closing) {
      finish(1000, "closed by the client");
      return;
    }
    if (sessionEnded || !reconnectable(code) || c.settings.maxReconnectAttempts() == 0) {
      finish(code, reason);
      return;
    }
    safe(() -> c.listener.onClosed(code, reason, true));
    if (c.pending != null) {
      c.pending.kind = Socket.Kind.RECONNECT; // the refresh on its way takes over
      return;
    }
    cancelTimer();
    scheduleReconnect(code);
  }

  private void scheduleReconnect(int code) {
    boolean goingAway = code == CloseCode.GOING_AWAY.code();
    long delay = c.settings.backoff().delay(reconnectAttempts, takeRetryAfter(), goingAway);
    reconnectAttempts++;
    timer =
        schedule(
            delay,
            () -> {
              if (!c.closing && !c.finished) {
                c.pending = c.open(Socket.Kind.RECONNECT);
              }
            });
  }

  void close() {
    if (c.finished) {
      return;
    }
    c.closing = true;
    cancelTimer();
    failWaiters(1000, "closed by the client", null);
    if (c.active == null) {
      finish(1000, "closed by the client");
      return;
    }
    Socket a = c.active;
    a.close((short) 1000, "closed by the client");
    // The close handler finishes; should the server never answer, finish anyway.
    c.vertx.setTimer(
        c.settings.connectTimeoutMillis(),
        t -> {
          if (!c.finished) {
            c.gone(a, 1000, "closed by the client", null);
          }
        });
  }

  private void finish(int code, String reason) {
    if (c.finished) {
      return;
    }
    cancelTimer();
    failWaiters(code, reason, null);
    c.release();
    safe(() -> c.listener.onClosed(code, reason, false));
  }

  private void failWaiters(int code, String reason, Socket s) {
    if (refreshWaiters.isEmpty()) {
      return;
    }
    RuntimeException e = new ConnectionRejectedException(code, reason, s == null ? null : s.error);
    List<Promise<String>> waiters = new ArrayList<>(refreshWaiters);
    refreshWaiters.clear();
    waiters.forEach(p -> p.tryFail(e));
  }

  private long takeRetryAfter() {
    long r = retryAfterMs;
    retryAfterMs = 0;
    return r;
  }

  private long schedule(long delayMillis, Runnable task) {
    return c.vertx.setTimer(
        Math.max(1, delayMillis),
        t -> {
          timer = -1;
          task.run();
        });
  }

  private void cancelTimer() {
    if (timer >= 0) {
      c.vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Runs a listener method; its exceptions must not break the connection. */
  static void safe(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      System.getLogger(Listener.class.getName())
          .log(System.Logger.Level.WARNING, "a Pentecost client listener threw", e);
    }
  }

  static boolean reconnectable(int code) {
    for (CloseCode c : CloseCode.values()) {
      if (c.code() == code) {
        return c.reconnect();
      }
    }
    // Not one of the server's: a lost connection (1006), a restart (1012), try later (1013).
    return code == ClientConnection.ABNORMAL_CLOSE || code == 1012 || code == 1013;
  }
}
