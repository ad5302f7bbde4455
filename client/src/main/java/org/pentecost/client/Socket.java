package org.pentecost.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.json.JsonObject;

/** One WebSocket under a {@link ClientConnection}, and its timers. Confined to that context. */
final class Socket {
  /** Why this WebSocket was opened. */
  enum Kind {
    /** The first connection; {@code connect()} waits for it. */
    INITIAL,
    /** Takes the place of a live connection (a refresh). */
    REFRESH,
    /** Replaces a connection that dropped. */
    RECONNECT
  }

  final ClientWebSocket ws;

  /** Set on open; a refresh whose old connection dropped meanwhile becomes a reconnect. */
  Kind kind;

  /** The server's connectionId, once {@code sessionJoined} arrived. */
  String id;

  /** The last {@code error} message on this WebSocket, or null. */
  JsonObject error;

  /** Closed or failed, and handled as such. */
  boolean gone;

  private long heartbeatTimer = -1;
  private long joinTimer = -1;

  Socket(ClientWebSocket ws, Kind kind) {
    this.ws = ws;
    this.kind = kind;
  }

  boolean joined() {
    return id != null;
  }

  void startJoinTimer(Vertx vertx, long millis, Runnable onTimeout) {
    joinTimer = vertx.setTimer(millis, t -> onTimeout.run());
  }

  void startHeartbeat(Vertx vertx, long intervalMillis, String heartbeat) {
    heartbeatTimer =
        vertx.setPeriodic(intervalMillis, t -> ws.writeTextMessage(heartbeat).onFailure(e -> {}));
  }

  void cancelTimers(Vertx vertx) {
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
    cancelJoinTimer(vertx);
  }

  void cancelJoinTimer(Vertx vertx) {
    if (joinTimer >= 0) {
      vertx.cancelTimer(joinTimer);
      joinTimer = -1;
    }
  }

  /** Closes the WebSocket, ignoring a connection that is already gone. */
  Future<Void> close(short code, String reason) {
    try {
      return ws.close(code, reason).otherwiseEmpty();
    } catch (RuntimeException e) {
      return Future.succeededFuture(); // not connected yet, or already closed
    }
  }
}
