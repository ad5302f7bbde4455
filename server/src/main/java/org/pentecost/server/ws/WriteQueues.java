package org.pentecost.server.ws;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import java.lang.reflect.Field;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shrinks what an idle WebSocket costs in Vert.x 5.0: every Vert.x connection holds an unbounded
 * multi-producer queue for writes from other threads, and Netty makes it a jctools {@code
 * MpscUnboundedArrayQueue} whose first chunk of 1,024 slots is allocated at once (about 4.7 KiB
 * with the padded queue object). An upgraded WebSocket keeps two such connections alive: the
 * HTTP/1.1 connection it was upgraded from (it never writes again) and the WebSocket connection
 * (which queues only what another thread writes: text messages, the close; the audio is written
 * below Vert.x by {@code AudioOut}). Together 9.4 KiB per listener, two thirds of a listener's
 * heap.
 *
 * <p>{@link #shrink} swaps each connection's queue, while it is still empty and before any other
 * thread knows the socket, for a {@link ConcurrentLinkedQueue}: equally unbounded and safe for many
 * producers and one consumer, 48 bytes when empty, a 24-byte node per queued message. Vert.x uses
 * only {@code add} and {@code poll} on it. No Vert.x version up to 5.1 makes that queue lazy or
 * smaller, and no option reaches it (the HTTP server's strict thread mode spares only the HTTP/1.1
 * connection's queue, and makes every response written off its event loop fail). If the fields are
 * not where Vert.x 5.0 keeps them, nothing is changed: the socket works as before, and one line is
 * logged.
 */
final class WriteQueues {
  private static final Logger LOG = LoggerFactory.getLogger(WriteQueues.class);

  /**
   * {@code WebSocketImplBase.conn}, {@code VertxConnection.outboundMessageQueue}, {@code
   * OutboundMessageQueue.mqp}, {@code MessagePassingQueue.queue}; null when one is missing.
   */
  private static final Field SOCKET_CONNECTION;

  private static final Field OUTBOUND;
  private static final Field MESSAGE_QUEUE;
  private static final Field QUEUE;
  private static final Class<?> CHANNEL;

  static {
    Field socketConnection = null;
    Field outbound = null;
    Field messageQueue = null;
    Field queue = null;
    Class<?> channel = null;
    try {
      socketConnection = field("io.vertx.core.http.impl.WebSocketImplBase", "conn");
      outbound = field("io.vertx.core.net.impl.VertxConnection", "outboundMessageQueue");
      messageQueue = field("io.vertx.core.internal.concurrent.OutboundMessageQueue", "mqp");
      queue = field("io.vertx.core.streams.impl.MessagePassingQueue", "queue");
      channel = Class.forName("io.vertx.core.net.impl.VertxConnection$InternalMessageChannel");
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info("Vert.x write queues stay as they are: {}", e.toString());
      socketConnection = null;
    }
    SOCKET_CONNECTION = socketConnection;
    OUTBOUND = outbound;
    MESSAGE_QUEUE = messageQueue;
    QUEUE = queue;
    CHANNEL = channel;
  }

  private WriteQueues() {}

  private static Field field(String type, String name) throws ReflectiveOperationException {
    Field f = Class.forName(type).getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }

  /** Whether this Vert.x has the fields {@link #shrink} replaces. */
  static boolean available() {
    return SOCKET_CONNECTION != null;
  }

  /**
   * Swaps the write queues of a socket just upgraded and of the HTTP/1.1 connection it came from
   * (may be null); call it on the socket's event loop before the socket is handed to anyone.
   * Returns how many queues were swapped (0 to 2).
   */
  static int shrink(ServerWebSocket socket, HttpConnection upgradedFrom) {
    if (SOCKET_CONNECTION == null) {
      return 0;
    }
    try {
      int swapped = swap(connectionOf(socket));
      if (upgradedFrom != null) {
        swapped += swap(upgradedFrom);
      }
      return swapped;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("write queue not swapped: {}", e.toString());
      return 0;
    }
  }

  /** The Vert.x connection below a WebSocket. */
  static Object connectionOf(ServerWebSocket socket) throws ReflectiveOperationException {
    return SOCKET_CONNECTION.get(socket);
  }

  /** The queue a Vert.x connection holds for writes from other threads, or null. */
  static Queue<?> queueOf(Object connection) throws ReflectiveOperationException {
    if (connection == null || !OUTBOUND.getDeclaringClass().isInstance(connection)) {
      return null;
    }
    Object outbound = OUTBOUND.get(connection);
    if (outbound == null || !CHANNEL.isInstance(outbound)) {
      return null; // strict thread mode: no queue at all
    }
    Object messages = MESSAGE_QUEUE.get(outbound);
    return messages == null ? null : (Queue<?>) QUEUE.get(messages);
  }

  private static int swap(Object connection) throws ReflectiveOperationException {
    Queue<?> queue = queueOf(connection);
    if (queue == null || queue instanceof ConcurrentLinkedQueue || !queue.isEmpty()) {
      return 0;
    }
    Object outbound = OUTBOUND.get(connection);
    QUEUE.set(MESSAGE_QUEUE.get(outbound), new ConcurrentLinkedQueue<>());
    return 1;
  }
}
