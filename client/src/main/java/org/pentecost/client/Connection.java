package org.pentecost.client;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * A live connection to a session, made by {@link PentecostClient#connect()}. It outlives the
 * WebSocket under it: heartbeats, refreshes ({@code connectionRefreshRequired}) and reconnects
 * after a drop are handled inside, and the methods here always act on the current WebSocket.
 * Methods may be called from any thread.
 */
public interface Connection {

  /** The id of the current WebSocket (it changes with a refresh or a reconnect). */
  String connectionId();

  /** The sequence number of the last audio frame delivered, 0 before the first. */
  long lastSequence();

  /**
   * Sends a control message, e.g. {@code {"action":"getSessionStatus"}}. Fails when there is no
   * current WebSocket (while reconnecting, or after {@link #close()}).
   */
  Future<Void> send(JsonObject action);

  /** Sends one audio payload as a binary frame (speaker and worker); fails like {@link #send}. */
  Future<Void> sendAudio(Buffer payload);

  /**
   * Whether the current WebSocket's write queue is full: a publisher should skip or wait (see
   * {@link io.vertx.core.streams.WriteStream#writeQueueFull()}). True while there is none.
   */
  boolean writeQueueFull();

  /** Asks to hear another language ({@code switchLanguage}); reconnects then ask for it too. */
  Future<Void> switchLanguage(String targetLanguage);

  /**
   * Refreshes now, as on {@code connectionRefreshRequired}: opens a new WebSocket that takes over
   * this one's place, switches to it when it has joined, closes the old one. Completes with the new
   * connection id; fails if the new WebSocket was refused (the old one stays in use).
   */
  Future<String> refresh();

  /** Closes for good (1000): no reconnect follows. Completes when the WebSocket has closed. */
  Future<Void> close();
}
