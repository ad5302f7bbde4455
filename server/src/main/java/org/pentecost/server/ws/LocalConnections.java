package org.pentecost.server.ws;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.pentecost.protocol.CloseCode;
import org.pentecost.server.backend.ConnectionInfo;
import org.pentecost.server.backend.ConnectionManager.Broadcast;
import org.pentecost.server.backend.ConnectionManager.Delivery;
import org.pentecost.server.backend.ConnectionManager.Page;

/**
 * The management API on this node's own connections: what a call does once it has reached the node
 * that holds them. Safe from any thread (a close runs on the connection's own event loop).
 */
final class LocalConnections {
  private final ConnectionRegistry registry;
  private final String nodeId;

  LocalConnections(ConnectionRegistry registry, String nodeId) {
    this.registry = registry;
    this.nodeId = nodeId;
  }

  /** The connection if it is here and not on its way out; null otherwise. */
  Connection live(String connectionId) {
    Connection c = registry.get(connectionId);
    return c == null || c.isClosing() ? null : c;
  }

  /** Whether {@code id} could only be a connection of this node (its tag is this node's). */
  boolean isOurs(String connectionId) {
    return registry.ids.isOurs(connectionId);
  }

  /** Sends {@code text}; false when the connection is gone or could not take it. */
  boolean post(Connection c, String text) {
    return c.offer(text);
  }

  ConnectionInfo info(Connection c) {
    return new ConnectionInfo(
        c.id,
        c.connectedAt,
        c.lastActive,
        c.clientIp == null ? null : c.clientIp.getHostAddress(),
        c.userAgent,
        c.sessionId,
        c.role.wire(),
        c.language,
        nodeId,
        c.queuedBytes());
  }

  /** Closes with {@link CloseCode#CLOSED_BY_BACKEND}, on the connection's event loop. */
  void close(Connection c) {
    c.context.runOnContext(v -> c.close(CloseCode.CLOSED_BY_BACKEND, "closed by the backend"));
  }

  /** Sends {@code b.text()} to the session's matching connections here. */
  Delivery broadcast(String sessionId, Broadcast b) {
    SessionRoom room = registry.room(sessionId);
    if (room == null) {
      return Delivery.NONE;
    }
    int delivered = 0;
    int dropped = 0;
    for (Connection c : room.all()) {
      if (b.matches(c.role.wire(), c.language)) {
        if (c.offer(b.text())) {
          delivered++;
        } else {
          dropped++;
        }
      }
    }
    return new Delivery(delivered, dropped);
  }

  /**
   * Up to {@code limit} of the session's connections here whose id sorts after {@code cursor},
   * sorted by id; {@code next} is set when more follow here.
   */
  Page list(String sessionId, String cursor, int limit) {
    SessionRoom room = registry.room(sessionId);
    if (room == null) {
      return new Page(List.of(), null);
    }
    List<Connection> after = new ArrayList<>();
    for (Connection c : room.all()) {
      if (!c.isClosing() && (cursor == null || c.id.compareTo(cursor) > 0)) {
        after.add(c);
      }
    }
    after.sort(Comparator.comparing(c -> c.id));
    List<ConnectionInfo> items = new ArrayList<>(Math.min(limit, after.size()));
    for (int i = 0; i < after.size() && i < limit; i++) {
      items.add(info(after.get(i)));
    }
    return new Page(
        items, after.size() > limit ? items.get(items.size() - 1).connectionId() : null);
  }
}
