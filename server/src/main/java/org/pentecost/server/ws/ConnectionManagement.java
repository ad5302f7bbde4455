package org.pentecost.server.ws;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.pentecost.server.backend.ConnectionInfo;
import org.pentecost.server.backend.ConnectionManager;
import org.pentecost.server.cluster.NodeEvent.ManageOp;
import org.pentecost.server.util.Futures;

/**
 * The management API's port ({@link ConnectionManager}) on the WebSocket edge. A connection held
 * here is served at once, with no store call and no other node; one whose id carries this node's
 * tag but is not here is gone at once; any other goes to its node through {@link NodeCalls}. A
 * session's broadcast and list are this node's share plus every other node's.
 */
final class ConnectionManagement implements ConnectionManager {
  private final Vertx vertx;
  private final LocalConnections local;
  private final NodeCalls calls;

  ConnectionManagement(Vertx vertx, LocalConnections local, NodeCalls calls) {
    this.vertx = vertx;
    this.local = local;
    this.calls = calls;
  }

  @Override
  public Future<Boolean> post(String connectionId, String text) {
    Connection c = local.live(connectionId);
    if (c != null) {
      return Future.succeededFuture(local.post(c, text));
    }
    if (!elsewhere(connectionId)) {
      return Future.succeededFuture(false);
    }
    return here(
        calls
            .one(ManageOp.POST, connectionId, new JsonObject().put("text", text))
            .map(ConnectionManagement::found));
  }

  @Override
  public Future<ConnectionInfo> info(String connectionId) {
    Connection c = local.live(connectionId);
    if (c != null) {
      return Future.succeededFuture(local.info(c));
    }
    if (!elsewhere(connectionId)) {
      return Future.succeededFuture(null);
    }
    return here(
        calls
            .one(ManageOp.INFO, connectionId, new JsonObject())
            .map(r -> found(r) ? ConnectionInfo.fromJson(r.getJsonObject("info")) : null));
  }

  @Override
  public Future<Boolean> close(String connectionId) {
    Connection c = local.live(connectionId);
    if (c != null) {
      local.close(c);
      return Future.succeededFuture(true);
    }
    if (!elsewhere(connectionId)) {
      return Future.succeededFuture(false);
    }
    return here(
        calls.one(ManageOp.CLOSE, connectionId, new JsonObject()).map(ConnectionManagement::found));
  }

  @Override
  public Future<Delivery> broadcast(String sessionId, Broadcast broadcast) {
    Delivery mine = local.broadcast(sessionId, broadcast);
    return here(
        calls
            .all(ManageOp.BROADCAST, sessionId, NodeCalls.argsOf(broadcast))
            .map(
                answers -> {
                  Delivery sum = mine;
                  for (JsonObject a : answers) {
                    sum = sum.plus(NodeCalls.deliveryOf(a));
                  }
                  return sum;
                }));
  }

  @Override
  public Future<Page> list(String sessionId, String cursor, int limit) {
    Page mine = local.list(sessionId, cursor, limit);
    JsonObject args = new JsonObject().put("limit", limit);
    if (cursor != null) {
      args.put("cursor", cursor);
    }
    return here(
        calls
            .all(ManageOp.LIST, sessionId, args)
            .map(
                answers -> {
                  List<ConnectionInfo> all = new ArrayList<>(mine.items());
                  boolean more = mine.next() != null;
                  for (JsonObject a : answers) {
                    Page p = NodeCalls.pageOf(a);
                    all.addAll(p.items());
                    more |= p.next() != null;
                  }
                  all.sort(Comparator.comparing(ConnectionInfo::connectionId));
                  more |= all.size() > limit;
                  List<ConnectionInfo> items = all.size() > limit ? all.subList(0, limit) : all;
                  String next = more ? items.get(items.size() - 1).connectionId() : null;
                  return new Page(List.copyOf(items), next);
                }));
  }

  /** Whether {@code connectionId} may be held by another node (an id, and not of this node). */
  private boolean elsewhere(String connectionId) {
    return ConnectionIds.tagOf(connectionId) >= 0 && !local.isOurs(connectionId);
  }

  /** The outcome on the caller's context (answers of other nodes arrive on the broker's). */
  private <T> Future<T> here(Future<T> f) {
    Context context = vertx.getOrCreateContext();
    return Futures.onContext(f, context);
  }

  /** Whether the node that answered held the connection (null: no node answered). */
  private static boolean found(JsonObject answer) {
    return answer != null && answer.getBoolean("found", false);
  }
}
