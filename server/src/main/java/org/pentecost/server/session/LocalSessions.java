package org.pentecost.server.session;

import java.util.List;

/**
 * The sessions this node holds live connections for, with the newest record of each that passed
 * through the node: what it can write back when the store lost them, and end for its own
 * connections when it cannot. The WebSocket gateway provides it.
 */
public interface LocalSessions {
  /** Nothing live here (before the gateway is attached). */
  LocalSessions NONE =
      new LocalSessions() {
        @Override
        public List<Session> records() {
          return List.of();
        }

        @Override
        public void seen(Session session) {}

        @Override
        public void endHere(String sessionId) {}
      };

  /** The record of each session with live connections here. */
  List<Session> records();

  /** A record read or written here: kept if it is a newer version of a session live here. */
  void seen(Session session);

  /**
   * Ends the session for its connections on this node only ({@code sessionEnded}, close 4410), as
   * when it ends, and stops waiting for its speaker; the store is not touched.
   */
  void endHere(String sessionId);
}
