package org.pentecost.server.ws;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.pentecost.server.backend.ConnectionInfo;
import org.pentecost.server.backend.ConnectionManager.Broadcast;
import org.pentecost.server.backend.ConnectionManager.Delivery;
import org.pentecost.server.backend.ConnectionManager.Page;
import org.pentecost.server.cluster.Broker;
import org.pentecost.server.cluster.NodeEvent;
import org.pentecost.server.cluster.NodeEvent.Manage;
import org.pentecost.server.cluster.NodeEvent.ManageOp;
import org.pentecost.server.cluster.NodeEvent.ManageReply;

/**
 * Management calls between nodes, both ways, as {@link Manage} and {@link ManageReply} events.
 *
 * <p>Asking: a call for a connection goes out once and waits for the one node whose tag the id
 * carries; a call for a session's connections waits for as many answers as {@link
 * Broker#otherNodes} counts. Either way it waits {@code backend.clusterTimeout} at most, then goes
 * on with the answers it has (for a connection: none, so it is gone).
 *
 * <p>Answering: another node's call runs on this node's {@link LocalConnections}, and the answer
 * goes back addressed to that node. A call for a connection whose tag is not this node's is left to
 * its node.
 */
final class NodeCalls {
  private final Vertx vertx;
  private final Broker broker;
  private final LocalConnections local;
  private final long timeoutMillis;
  private final AtomicLong counter = new AtomicLong();
  private final ConcurrentHashMap<String, Call> pending = new ConcurrentHashMap<>();

  /** One call waiting for its answers. */
  private static final class Call {
    final Promise<List<JsonObject>> promise = Promise.promise();
    final int expected;
    final List<JsonObject> answers = new ArrayList<>();
    volatile long timer = -1;

    Call(int expected) {
      this.expected = expected;
    }

    synchronized boolean add(JsonObject answer) {
      answers.add(answer);
      return answers.size() >= expected;
    }

    synchronized List<JsonObject> answers() {
      return List.copyOf(answers);
    }
  }

  NodeCalls(Vertx vertx, Broker broker, LocalConnections local, long timeoutMillis) {
    this.vertx = vertx;
    this.broker = broker;
    this.local = local;
    this.timeoutMillis = Math.max(1, timeoutMillis);
  }

  /** Asks the node that holds {@code connectionId}: its answer, or null after the deadline. */
  Future<JsonObject> one(ManageOp op, String connectionId, JsonObject args) {
    return ask(op, connectionId, args, 1).map(l -> l.isEmpty() ? null : l.get(0));
  }

  /** Asks every other node about session {@code sessionId}: the answers within the deadline. */
  Future<List<JsonObject>> all(ManageOp op, String sessionId, JsonObject args) {
    return broker
        .otherNodes()
        .compose(n -> n <= 0 ? Future.succeededFuture(List.of()) : ask(op, sessionId, args, n));
  }

  private Future<List<JsonObject>> ask(ManageOp op, String target, JsonObject args, int expected) {
    String id = Long.toString(counter.incrementAndGet(), 36);
    Call call = new Call(expected);
    pending.put(id, call);
    call.timer = vertx.setTimer(timeoutMillis, t -> finish(id));
    if (!broker.publishEvent(new Manage(id, op, target, args))) {
      finish(id); // no other node exists
    }
    return call.promise.future();
  }

  private void finish(String id) {
    Call call = pending.remove(id);
    if (call != null) {
      vertx.cancelTimer(call.timer);
      call.promise.tryComplete(call.answers());
    }
  }

  /** Takes a management event from another node; false for any other event. */
  boolean event(String node, NodeEvent event) {
    if (event instanceof ManageReply r) {
      if (r.to().equals(broker.nodeId())) {
        Call call = pending.get(r.requestId());
        if (call != null && call.add(r.result())) {
          finish(r.requestId());
        }
      }
      return true;
    }
    if (event instanceof Manage m) {
      JsonObject result = answer(m);
      if (result != null) {
        broker.publishEvent(new ManageReply(m.requestId(), node, result));
      }
      return true;
    }
    return false;
  }

  /** What this node answers to {@code m}; null when the call is not for it. */
  private JsonObject answer(Manage m) {
    JsonObject args = m.args();
    switch (m.op()) {
      case POST, INFO, CLOSE -> {
        if (!local.isOurs(m.target())) {
          return null;
        }
        Connection c = local.live(m.target());
        JsonObject result = new JsonObject();
        if (m.op() == ManageOp.POST) {
          return result.put("found", c != null && local.post(c, args.getString("text", "")));
        }
        if (m.op() == ManageOp.CLOSE && c != null) {
          local.close(c);
        }
        result.put("found", c != null);
        if (m.op() == ManageOp.INFO && c != null) {
          result.put("info", local.info(c).toJson());
        }
        return result;
      }
      case BROADCAST -> {
        Delivery d = local.broadcast(m.target(), broadcastOf(args));
        return new JsonObject().put("delivered", d.delivered()).put("dropped", d.dropped());
      }
      case LIST -> {
        Page page = local.list(m.target(), args.getString("cursor"), args.getInteger("limit", 1));
        JsonArray items = new JsonArray();
        page.items().forEach(i -> items.add(i.toJson()));
        return new JsonObject().put("items", items).put("next", page.next());
      }
      default -> {
        return null;
      }
    }
  }

  static JsonObject argsOf(Broadcast b) {
    JsonObject args = new JsonObject().put("text", b.text());
    if (b.language() != null) {
      args.put("language", b.language());
    }
    if (!b.roles().isEmpty()) {
      args.put("roles", new JsonArray(new ArrayList<>(b.roles())));
    }
    return args;
  }

  private static Broadcast broadcastOf(JsonObject args) {
    Set<String> roles = new HashSet<>();
    JsonArray list = args.getJsonArray("roles");
    if (list != null) {
      list.forEach(r -> roles.add(String.valueOf(r)));
    }
    return new Broadcast(args.getString("text", ""), args.getString("language"), roles);
  }

  static Delivery deliveryOf(JsonObject answer) {
    return new Delivery(answer.getInteger("delivered", 0), answer.getInteger("dropped", 0));
  }

  static Page pageOf(JsonObject answer) {
    List<ConnectionInfo> items = new ArrayList<>();
    JsonArray list = answer.getJsonArray("items");
    if (list != null) {
      for (int i = 0; i < list.size(); i++) {
        items.add(ConnectionInfo.fromJson(list.getJsonObject(i)));
      }
    }
    return new Page(items, answer.getString("next"));
  }
}
