package org.pentecost.server.ws;

import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Every connection of this node, by id and by session. A room exists while it has members; rooms
 * are created and dropped inside {@link ConcurrentHashMap#compute}, so a connection is never added
 * to a room that is being dropped.
 */
final class ConnectionRegistry {
  private final ConcurrentHashMap<String, Connection> byId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, SessionRoom> rooms = new ConcurrentHashMap<>();
  private volatile java.util.function.Consumer<String> roomCreated = id -> {};

  /** The ids this node gives its connections: they carry its tag. */
  final ConnectionIds ids = new ConnectionIds();

  Connection get(String connectionId) {
    return connectionId == null ? null : byId.get(connectionId);
  }

  int size() {
    return byId.size();
  }

  Collection<Connection> connections() {
    return byId.values();
  }

  Collection<SessionRoom> rooms() {
    return rooms.values();
  }

  SessionRoom room(String sessionId) {
    return rooms.get(sessionId);
  }

  /** Runs {@code change} on the session's room (created if needed) atomically with its lifetime. */
  <T> T inRoom(String sessionId, Function<SessionRoom, T> change) {
    Object[] result = new Object[1];
    boolean[] created = new boolean[1];
    rooms.compute(
        sessionId,
        (id, room) -> {
          SessionRoom r = room == null ? new SessionRoom(id) : room;
          result[0] = change.apply(r);
          if (r.isEmpty()) {
            return null;
          }
          created[0] = room == null;
          return r;
        });
    if (created[0]) {
      roomCreated.accept(sessionId);
    }
    @SuppressWarnings("unchecked")
    T t = (T) result[0];
    return t;
  }

  /** Called (outside any lock) with the session id each time a room is created on this node. */
  void onRoomCreated(java.util.function.Consumer<String> handler) {
    this.roomCreated = handler;
  }

  void register(Connection c) {
    byId.put(c.id, c);
  }

  /** True if this call removed it (so callers can count each connection's end once). */
  boolean unregister(Connection c) {
    return byId.remove(c.id, c);
  }

  /** Drops the room if nothing holds it any more. */
  void tidy(String sessionId) {
    rooms.computeIfPresent(sessionId, (id, r) -> r.isEmpty() ? null : r);
  }

  /** Sends one message to every connection of a session, encoding it once. */
  void broadcast(String sessionId, JsonObject message) {
    SessionRoom room = rooms.get(sessionId);
    if (room != null) {
      String text = message.encode();
      room.all().forEach(c -> c.sendText(text));
    }
  }

  /** Sends one message to the listeners of a session, encoding it once. */
  void toListeners(String sessionId, JsonObject message) {
    SessionRoom room = rooms.get(sessionId);
    if (room != null) {
      String text = message.encode();
      room.listeners().forEach(c -> c.sendText(text));
    }
  }

  void forEachInSession(String sessionId, Consumer<Connection> action) {
    SessionRoom room = rooms.get(sessionId);
    if (room != null) {
      room.all().forEach(action);
    }
  }
}
