package org.pentecost.client;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.pentecost.protocol.AudioFrame;

/**
 * What a {@link Connection} tells its user. Every method has a no-op default: implement only what
 * you need. All calls arrive on the connection's Vert.x context, one at a time, in order; a
 * listener must not block. An exception thrown by a listener is logged and otherwise ignored.
 */
public interface Listener {

  /**
   * The server admitted the connection: the first {@code sessionJoined}, and again after every
   * automatic reconnect (a refresh reports {@link #onRefreshed} instead).
   */
  default void onJoined(JsonObject sessionJoined) {}

  /**
   * Every control message of the current connection, {@code sessionJoined} and {@code error}
   * included, after the client's own handling. Messages that arrive on a connection being replaced
   * by a refresh are not delivered (the new connection says the same).
   */
  default void onMessage(JsonObject message) {}

  /**
   * One audio frame: its header and the payload as published (a slice, valid during the call; copy
   * it to keep it). Frames already delivered are not delivered again, not even while a refresh
   * overlaps two connections.
   */
  default void onAudio(AudioFrame.Header header, Buffer payload) {}

  /**
   * A refresh completed: {@code newConnectionId} now carries the session, the old one is closed.
   */
  default void onRefreshed(String newConnectionId) {}

  /**
   * The connection closed. {@code willReconnect} says whether the client is reconnecting by itself
   * (then {@link #onJoined} follows on success); when false this is the end and nothing follows.
   * {@code code} is the WebSocket close code, 1006 when the connection was lost without one.
   */
  default void onClosed(int code, String reason, boolean willReconnect) {}

  /**
   * An {@code error} message from the server ({@code code}, {@code message}, {@code retryAfterMs}).
   */
  default void onError(JsonObject error) {}
}
