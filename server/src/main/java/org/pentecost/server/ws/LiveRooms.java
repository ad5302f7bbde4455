package org.pentecost.server.ws;

import java.util.ArrayList;
import java.util.List;
import org.pentecost.server.session.LocalSessions;
import org.pentecost.server.session.Session;

/** This node's rooms as the sessions it holds live connections for, with their records. */
final class LiveRooms implements LocalSessions {
  private final ConnectionRegistry registry;
  private final SessionEvents events;

  LiveRooms(ConnectionRegistry registry, SessionEvents events) {
    this.registry = registry;
    this.events = events;
  }

  @Override
  public List<Session> records() {
    List<Session> records = new ArrayList<>();
    for (SessionRoom room : registry.rooms()) {
      Session s = room.record();
      if (s != null) {
        records.add(s);
      }
    }
    return records;
  }

  @Override
  public void seen(Session session) {
    SessionRoom room = registry.room(session.id());
    if (room != null) {
      room.keepRecord(session);
    }
  }

  @Override
  public void endHere(String sessionId) {
    events.endHere(sessionId);
  }
}
