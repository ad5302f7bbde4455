package org.pentecost.server.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.pentecost.server.redis.LuaScript;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's lease in Redis, and the reaping of the nodes that lost theirs, so that the listeners of
 * a node that died without a goodbye ({@code kill -9}, power loss) leave the counts within {@code
 * store.nodeLease}.
 *
 * <p>A node writes under a <em>member</em> name: its node id and a random incarnation ({@code
 * web-1/k3f9x2}). The member's key {@code node:{member}} lives two thirds of the lease and is
 * renewed every third; every node sweeps every third of the lease, and reaps any registered member
 * whose key is gone: it deletes the member's fields from each session the member listed in {@code
 * node:{member}:sessions}, then forgets the member. Death to reaping thus takes at most one lease.
 *
 * <p>A node that finds its own key gone (Redis restarted empty, or the node stalled and was taken
 * for dead) may already have been reaped, or be being reaped: it takes a new incarnation, so that
 * no reaper can delete what it writes next, and the count store rewrites its counts under it. At
 * start a node reaps its own earlier incarnations at once, without waiting for their leases.
 */
final class RedisNodeLease {
  private static final Logger LOG = LoggerFactory.getLogger(RedisNodeLease.class);
  private static final LuaScript REAP = LuaScript.load("listeners_reap");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int REAP_BATCH = 64;

  private final Vertx vertx;
  private final RedisCommands redis;
  private final RedisKeys keys;
  private final String nodeId;
  private final long periodMillis;
  private final long keyTtlMillis;
  private final long sessionsTtlMillis;
  private final Runnable onTick;
  private final Runnable onNewIncarnation;
  private final BiConsumer<String, String> onAbandoned;
  private final AtomicBoolean beating = new AtomicBoolean();
  private final AtomicBoolean sweeping = new AtomicBoolean();
  // log an outage once when it starts and once when it ends, not every period
  private final AtomicBoolean beatFailing = new AtomicBoolean();
  private final AtomicBoolean sweepFailing = new AtomicBoolean();

  /** The member this node writes as; replaced when the lease is lost. */
  private volatile String member;

  /** True once {@link #member}'s key and registration are written, until the lease is lost. */
  private volatile boolean registered;

  private volatile long heartbeatTimer = -1;
  private volatile long sweepTimer = -1;

  /**
   * @param onTick runs after each sweep (the count store rewrites what Redis may lack)
   * @param onNewIncarnation runs when the lease was lost and {@link #member} changed
   * @param onAbandoned told (session, language) of each language a reaping here left without a
   *     listener in the whole cluster
   */
  RedisNodeLease(
      Vertx vertx,
      RedisCommands redis,
      RedisKeys keys,
      String nodeId,
      Duration lease,
      Duration sessionsTtl,
      Runnable onTick,
      Runnable onNewIncarnation,
      BiConsumer<String, String> onAbandoned) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = keys;
    this.nodeId = nodeId;
    this.periodMillis = Math.max(100, lease.toMillis() / 3);
    this.keyTtlMillis = Math.max(200, lease.toMillis() * 2 / 3);
    this.sessionsTtlMillis = sessionsTtl.toMillis();
    this.onTick = onTick;
    this.onNewIncarnation = onNewIncarnation;
    this.onAbandoned = onAbandoned;
    this.member = newMember(nodeId);
  }

  String member() {
    return member;
  }

  String nodeId() {
    return nodeId;
  }

  /** Time to live of a member's session list, renewed whenever a session is added to it. */
  long sessionsTtlMillis() {
    return sessionsTtlMillis;
  }

  /**
   * Reaps this node's earlier incarnations, takes the lease and starts renewing it. Never fails: if
   * Redis is unreachable the timers keep trying, and counting fails (503) until it answers.
   */
  Future<Void> start() {
    Future<Void> first =
        reapEarlierIncarnations()
            .compose(v -> beat())
            .recover(
                e -> {
                  LOG.warn(
                      "node lease not taken yet ({}); retrying every {} ms",
                      e.getMessage(),
                      periodMillis);
                  return Future.succeededFuture();
                });
    heartbeatTimer = vertx.setPeriodic(periodMillis, periodMillis, t -> beatOnce());
    sweepTimer = vertx.setPeriodic(periodMillis, periodMillis, t -> sweepOnce());
    return first;
  }

  /** Succeeds once this member holds a lease, taking it now if needed. */
  Future<Void> ensureRegistered() {
    return registered ? Future.succeededFuture() : beat();
  }

  /** Stops renewing, as a killed process would: nothing is cleaned up (tests). */
  void stopRenewing() {
    vertx.cancelTimer(heartbeatTimer);
    vertx.cancelTimer(sweepTimer);
  }

  /** Stops renewing and removes this member from Redis: its counts, its lease, its registration. */
  Future<Void> close() {
    stopRenewing();
    String self = member;
    registered = false;
    return reap(self).compose(v -> redis.send(Command.DEL, keys.node(self))).mapEmpty();
  }

  private void beatOnce() {
    if (beating.compareAndSet(false, true)) {
      beat()
          .onComplete(
              ar -> {
                beating.set(false);
                if (ar.failed() && beatFailing.compareAndSet(false, true)) {
                  LOG.warn("node lease renewal failed: {}", ar.cause().getMessage());
                } else if (ar.succeeded() && beatFailing.compareAndSet(true, false)) {
                  LOG.info("node lease renewed again as {}", member);
                }
              });
    }
  }

  /** Renews (or takes) the lease; a key found gone means the lease was lost. */
  private Future<Void> beat() {
    String self = member;
    return redis
        .send(Command.SET, keys.node(self), nodeId, "PX", keyTtlMillis, "GET")
        .compose(
            previous -> {
              if (previous == null && registered && self.equals(member)) {
                return newIncarnation(self);
              }
              return registered
                  ? Future.succeededFuture()
                  : redis
                      .send(Command.SADD, keys.nodes(), self)
                      .map(
                          ok -> {
                            registered = self.equals(member);
                            return null;
                          });
            });
  }

  private Future<Void> newIncarnation(String lost) {
    registered = false;
    member = newMember(nodeId);
    LOG.warn(
        "node lease of {} was lost (Redis restarted or this node stalled); counting again as {}",
        lost,
        member);
    onNewIncarnation.run();
    return beat();
  }

  private void sweepOnce() {
    if (sweeping.compareAndSet(false, true)) {
      sweep()
          .onComplete(
              ar -> {
                sweeping.set(false);
                if (ar.failed() && sweepFailing.compareAndSet(false, true)) {
                  LOG.warn("sweep of dead nodes failed: {}", ar.cause().getMessage());
                } else if (ar.succeeded()) {
                  sweepFailing.set(false);
                }
                onTick.run();
              });
    }
  }

  /** Reaps every registered member whose lease key is gone. */
  private Future<Void> sweep() {
    return redis
        .send(Command.SMEMBERS, keys.nodes())
        .compose(
            members -> {
              List<Future<Void>> checks = new ArrayList<>();
              for (Response m : members) {
                String other = m.toString();
                if (!other.equals(member)) {
                  checks.add(
                      redis
                          .send(Command.EXISTS, keys.node(other))
                          .compose(exists -> exists.toLong() == 0 ? reapDead(other) : succeeded()));
                }
              }
              return Future.all(checks).mapEmpty();
            });
  }

  private Future<Void> reapDead(String dead) {
    LOG.info("node {} lost its lease; removing its listener counts", dead);
    return reap(dead);
  }

  private Future<Void> reapEarlierIncarnations() {
    String family = nodeId + "/";
    return redis
        .send(Command.SMEMBERS, keys.nodes())
        .compose(
            members -> {
              List<Future<Void>> reaps = new ArrayList<>();
              for (Response m : members) {
                String other = m.toString();
                if (other.startsWith(family) && !other.equals(member)) {
                  LOG.info("removing the counts of this node's earlier incarnation {}", other);
                  reaps.add(
                      reap(other)
                          .compose(v -> redis.send(Command.DEL, keys.node(other)))
                          .mapEmpty());
                }
              }
              return Future.all(reaps).mapEmpty();
            });
  }

  /** Deletes {@code dead}'s fields from every session it listed, then forgets it. Idempotent. */
  private Future<Void> reap(String dead) {
    return redis
        .send(Command.SMEMBERS, keys.nodeSessions(dead))
        .compose(
            sessions -> {
              List<String> ids = new ArrayList<>();
              sessions.forEach(s -> ids.add(s.toString()));
              return reapSessions(dead, ids, 0);
            })
        .compose(v -> redis.send(Command.DEL, keys.nodeSessions(dead)))
        .compose(v -> redis.send(Command.SREM, keys.nodes(), dead))
        .mapEmpty();
  }

  /** A bounded number of sessions at a time, so a big node does not flood the pool. */
  private Future<Void> reapSessions(String dead, List<String> ids, int from) {
    if (from >= ids.size()) {
      return succeeded();
    }
    List<Future<Response>> batch = new ArrayList<>();
    for (int i = from; i < Math.min(ids.size(), from + REAP_BATCH); i++) {
      String sessionId = ids.get(i);
      batch.add(
          redis
              .eval(REAP, List.of(keys.listeners(sessionId)), List.of(dead))
              .onSuccess(r -> CountReplies.reaped(r, sessionId, onAbandoned)));
    }
    return Future.all(batch).compose(v -> reapSessions(dead, ids, from + REAP_BATCH));
  }

  private static Future<Void> succeeded() {
    return Future.succeededFuture();
  }

  private static String newMember(String nodeId) {
    return nodeId + "/" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
  }
}
