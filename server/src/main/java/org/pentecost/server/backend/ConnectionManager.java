package org.pentecost.server.backend;

import io.vertx.core.Future;
import java.util.List;
import java.util.Set;

/**
 * The management API's port to the WebSocket edge: push to, describe, close one connection, and
 * broadcast to or list a session's connections, on whichever node holds them. Implemented by the
 * edge ({@code ws}); used by the HTTP routes, which know nothing of sockets or nodes.
 *
 * <p>Every future completes on the caller's context. "Gone" is a value, not a failure: a connection
 * that does not exist (closed, closing, never was, or held by a node that did not answer within
 * {@code backend.clusterTimeout}) is {@code false} or {@code null}.
 */
public interface ConnectionManager {

  /** Sends {@code text} to the connection as one text message; false when it is gone. */
  Future<Boolean> post(String connectionId, String text);

  /** What the connection is; null when it is gone. */
  Future<ConnectionInfo> info(String connectionId);

  /** Closes the connection with {@code CLOSED_BY_BACKEND} (4004); false when it is gone. */
  Future<Boolean> close(String connectionId);

  /**
   * Sends {@code text} to every connection of the session (its canonical id) that matches, on every
   * node; nodes that do not answer within {@code backend.clusterTimeout} are left out of the
   * counts.
   */
  Future<Delivery> broadcast(String sessionId, Broadcast broadcast);

  /**
   * The session's connections on every node, sorted by id: up to {@code limit} whose id is after
   * {@code cursor} (null: from the first).
   */
  Future<Page> list(String sessionId, String cursor, int limit);

  /**
   * A broadcast: the text to send; only connections whose target language is {@code language}
   * (null: any), and whose role's wire name is in {@code roles} (empty: any).
   */
  record Broadcast(String text, String language, Set<String> roles) {
    public Broadcast {
      roles = Set.copyOf(roles);
    }

    /** Whether a connection of this role and target language should receive it. */
    public boolean matches(String role, String targetLanguage) {
      return (roles.isEmpty() || roles.contains(role))
          && (language == null || language.equals(targetLanguage));
    }
  }

  /** What a broadcast did: connections that took the message, and matching ones that could not. */
  record Delivery(int delivered, int dropped) {
    public static final Delivery NONE = new Delivery(0, 0);

    public Delivery plus(Delivery other) {
      return new Delivery(delivered + other.delivered, dropped + other.dropped);
    }
  }

  /** One page of a session's connections; {@code next} is the cursor of the next page, or null. */
  record Page(List<ConnectionInfo> items, String next) {}
}
