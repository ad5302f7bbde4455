package org.pentecost.server.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.redis.LuaScript;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.pentecost.server.session.ListenerCountStore;
import org.pentecost.server.session.RecordsRestored;
import org.pentecost.server.util.Futures;

/**
 * {@link ListenerCountStore} in Redis: counts and capacity are global across nodes, and the
 * listeners of a node that dies leave the counts within {@code store.nodeLease}.
 *
 * <p>Each session's hash {@code listeners:{id}} holds one field per node and language, {@code
 * <member>|<language>} (a member is the node id and its incarnation, see {@link RedisNodeLease}).
 * The counts of a session are the sum over its fields; {@link #tryAdd} is one script that sums them
 * and writes only below the capacity.
 *
 * <p>A node only writes its own fields, and always writes all of them with their absolute values:
 * this node keeps its own counts in memory, and every change (add, remove, move) sends the
 * session's complete new counts of this node. Changes of one session on this node run one at a
 * time, in order. So a write that is repeated, or that Redis applies after its caller gave up,
 * cannot count anyone twice; a write that failed (Redis unreachable, timed out) marks the session,
 * and the node writes its counts again on every lease period until Redis takes them. When Redis is
 * back, the counts are right again without anyone reconnecting.
 *
 * <p>A remove or move that fails is still applied to this node's counts (the listener did leave)
 * and reaches Redis later; its future fails so the caller knows it has not yet. A failed {@link
 * #tryAdd} counts nobody: the caller refuses the join.
 */
public final class RedisListenerCountStore implements ListenerCountStore {
  private static final LuaScript WRITE = LuaScript.load("listeners_write");

  private final RedisCommands redis;
  private final RedisKeys keys;
  private final RedisNodeLease lease;
  private final long hashTtlMillis;
  private final SerialByKey<Local> sessions;
  private final LeaseRecovery recovery;
  private volatile boolean closed;
  private volatile DemandListener demand = DemandListener.NONE;

  /** This node's part of one session, and the queue that runs its changes one at a time. */
  private static final class Local {
    /** This node's listeners by language (no zeros); changed by the running change only. */
    volatile Map<String, Integer> counts = Map.of();

    /** Redis may not hold {@link #counts}: a write failed or timed out. */
    volatile boolean dirty;

    /** The member under which Redis last took {@link #counts}. */
    volatile String writtenAs;

    /** The member whose session list names this session. */
    volatile String listedAs;

    /** A rewrite is queued; no need to queue another. */
    volatile boolean rewriteQueued;

    int count(String language) {
      return counts.getOrDefault(language, 0);
    }
  }

  /** A change of one session, run when its turn comes, before {@code deadline} (nano time). */
  private interface Change<T> {
    Future<T> run(Local local, long deadline);
  }

  /**
   * @param countsTtl how long a session's counts are kept after their last change (at least the
   *     sessions' lifetime)
   */
  public RedisListenerCountStore(
      Vertx vertx,
      RedisCommands redis,
      RedisKeys keys,
      String nodeId,
      Duration nodeLease,
      Duration countsTtl) {
    this.redis = redis;
    this.keys = keys;
    this.hashTtlMillis = countsTtl.toMillis();
    // a session's state goes once this node counts nobody there and Redis knows it
    this.sessions = new SerialByKey<>(vertx, Local::new, l -> l.counts.isEmpty() && !l.dirty);
    this.recovery = new LeaseRecovery(this::rewrite, this::member);
    this.lease =
        new RedisNodeLease(
            vertx,
            redis,
            keys,
            nodeId,
            nodeLease,
            countsTtl,
            recovery::tick,
            recovery::leaseLost,
            (sessionId, language) -> demand.changed(sessionId, language, false));
  }

  /**
   * When this node finds its lease gone (Redis restarted empty, or the node stalled), {@code
   * restore} writes back the records of the sessions it holds live connections for, before the
   * counts are written again; it is run again a lease period later while records failed.
   */
  public void onLeaseLost(Supplier<Future<RecordsRestored>> restore) {
    recovery.restoreRecordsWith(restore);
  }

  /**
   * Demand changes are read from the reply of the write that made them (one script: no other node
   * can see the same transition), and from the reaping of a dead node's counts: a language whose
   * only listeners were on that node is reported abandoned by the node that reaps it.
   */
  @Override
  public void onDemandChange(DemandListener listener) {
    this.demand = listener;
  }

  /** Takes this node's lease (see {@link RedisNodeLease#start}); never fails. */
  public Future<Void> start() {
    return lease.start();
  }

  /** The name this node counts under in Redis: node id and incarnation. */
  public String member() {
    return lease.member();
  }

  @Override
  public Future<Boolean> tryAdd(String sessionId, String language, int capacity) {
    if (capacity <= 0) {
      return Future.succeededFuture(false);
    }
    return serial(
        sessionId,
        (local, deadline) ->
            write(sessionId, local, plus(local.counts, language, 1), capacity, deadline));
  }

  @Override
  public Future<Void> remove(String sessionId, String language) {
    return serial(
        sessionId,
        (local, deadline) -> {
          if (local.count(language) == 0) {
            return Future.succeededFuture();
          }
          local.counts = plus(local.counts, language, -1);
          return write(sessionId, local, local.counts, -1, deadline).mapEmpty();
        });
  }

  /** A move out of a language nobody listens in on this node is ignored, like {@link #remove}. */
  @Override
  public Future<Void> move(String sessionId, String fromLanguage, String toLanguage) {
    if (fromLanguage.equals(toLanguage)) {
      return Future.succeededFuture();
    }
    return serial(
        sessionId,
        (local, deadline) -> {
          if (local.count(fromLanguage) == 0) {
            return Future.succeededFuture();
          }
          local.counts = plus(plus(local.counts, fromLanguage, -1), toLanguage, 1);
          return write(sessionId, local, local.counts, -1, deadline).mapEmpty();
        });
  }

  @Override
  public Future<Map<String, Integer>> counts(String sessionId) {
    return redis.send(Command.HGETALL, keys.listeners(sessionId)).map(CountReplies::byLanguage);
  }

  /** Deletes the whole hash: every node's counts of the session. */
  @Override
  public Future<Void> clear(String sessionId) {
    return serial(
        sessionId,
        (local, deadline) -> {
          local.counts = Map.of();
          if (closed) {
            return closedFailure();
          }
          String self = lease.member();
          return redis
              .send(Command.DEL, keys.listeners(sessionId))
              .compose(v -> unlist(sessionId, local))
              .onSuccess(
                  v -> {
                    local.writtenAs = self;
                    local.dirty = false;
                  })
              .onFailure(e -> local.dirty = true)
              .mapEmpty();
        });
  }

  /**
   * Stops counting: waits for the changes under way, then removes this node's counts and lease from
   * Redis. Changes after this stay in memory.
   */
  public Future<Void> close() {
    closed = true;
    List<Future<Void>> drained = new ArrayList<>();
    for (String sessionId : sessions.keys()) {
      drained.add(serial(sessionId, (local, deadline) -> Future.succeededFuture()));
    }
    return Future.join(drained).transform(ar -> lease.close());
  }

  /** Stops renewing the lease and writing, as a killed process would (tests). */
  void stopAsIfKilled() {
    closed = true;
    lease.stopRenewing();
  }

  /**
   * Writes {@code next} as this node's complete counts of the session. With a capacity, refuses
   * (false) if that would raise the session's total above it.
   */
  private Future<Boolean> write(
      String sessionId, Local local, Map<String, Integer> next, int capacity, long deadline) {
    if (closed) {
      local.dirty = true;
      return closedFailure();
    }
    if (System.nanoTime() - deadline >= 0) {
      local.dirty = true;
      return Future.failedFuture(
          new StoreException("listener count change waited past store.timeout; not applied yet"));
    }
    String self = lease.member();
    List<Object> args = new ArrayList<>();
    args.add(capacity);
    args.add(hashTtlMillis);
    args.add(self);
    args.add(lease.nodeId() + "/");
    next.forEach(
        (language, count) -> {
          args.add(language);
          args.add(count);
        });
    return lease
        .ensureRegistered()
        .compose(v -> next.isEmpty() ? Future.succeededFuture() : list(sessionId, local, self))
        .compose(
            v ->
                redis.eval(
                    WRITE, List.of(keys.listeners(sessionId)), args, remainingMillis(deadline)))
        .map(r -> CountReplies.written(r, sessionId, demand))
        .compose(
            written -> {
              if (!written) {
                return Future.succeededFuture(false);
              }
              local.counts = next;
              local.writtenAs = self;
              local.dirty = false;
              return (next.isEmpty() ? unlist(sessionId, local) : Future.<Void>succeededFuture())
                  .map(true);
            })
        .onFailure(e -> local.dirty = true);
  }

  /** Names the session in this member's session list, which the reapers of a dead node read. */
  private Future<Void> list(String sessionId, Local local, String self) {
    if (self.equals(local.listedAs)) {
      return Future.succeededFuture();
    }
    String list = keys.nodeSessions(self);
    return redis
        .send(Command.SADD, list, sessionId)
        .compose(v -> redis.send(Command.PEXPIRE, list, lease.sessionsTtlMillis()))
        .map(
            v -> {
              local.listedAs = self;
              return null;
            });
  }

  /** Once this node counts nobody in the session; a failure only leaves an entry to reap. */
  private Future<Void> unlist(String sessionId, Local local) {
    String listed = local.listedAs;
    if (listed == null) {
      return Future.succeededFuture();
    }
    local.listedAs = null;
    return redis
        .send(Command.SREM, keys.nodeSessions(listed), sessionId)
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  /**
   * Rewrites every session whose counts Redis may lack (after failures, a new lease); completes
   * with what was written once every rewrite queued here has run.
   */
  private Future<LeaseRecovery.Rewritten> rewrite() {
    if (closed) {
      return Future.succeededFuture(new LeaseRecovery.Rewritten(0, 0));
    }
    String self = lease.member();
    List<Future<Integer>> writes = new ArrayList<>();
    sessions.forEach(
        (sessionId, local) -> {
          if (needsRewrite(local, self) && !local.rewriteQueued) {
            local.rewriteQueued = true;
            writes.add(
                serial(
                    sessionId,
                    (l, deadline) -> {
                      l.rewriteQueued = false;
                      if (!needsRewrite(l, lease.member())) {
                        return Future.succeededFuture(0);
                      }
                      Map<String, Integer> counts = l.counts;
                      int listeners = counts.values().stream().mapToInt(Integer::intValue).sum();
                      return write(sessionId, l, counts, -1, deadline).map(ok -> listeners);
                    }));
          }
        });
    return Future.join(writes)
        .transform(
            ar -> {
              int sessionsWritten = 0;
              int listeners = 0;
              for (Future<Integer> w : writes) {
                if (w.succeeded() && w.result() > 0) {
                  sessionsWritten++;
                  listeners += w.result();
                }
              }
              return Future.succeededFuture(
                  new LeaseRecovery.Rewritten(sessionsWritten, listeners));
            });
  }

  private static boolean needsRewrite(Local local, String member) {
    return local.dirty || (!local.counts.isEmpty() && !member.equals(local.writtenAs));
  }

  /**
   * Runs {@code change} after every change of the same session queued before it, with a deadline of
   * {@code store.timeout} from now; its future completes on the caller's context.
   */
  private <T> Future<T> serial(String sessionId, Change<T> change) {
    Context caller = Vertx.currentContext();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(redis.timeoutMillis());
    Future<T> result = sessions.run(sessionId, local -> change.run(local, deadline));
    return caller == null ? result : Futures.onContext(result, caller);
  }

  private static Map<String, Integer> plus(Map<String, Integer> counts, String language, int d) {
    Map<String, Integer> next = new HashMap<>(counts);
    int n = next.getOrDefault(language, 0) + d;
    if (n <= 0) {
      next.remove(language);
    } else {
      next.put(language, n);
    }
    return Map.copyOf(next);
  }

  private static long remainingMillis(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  private static <T> Future<T> closedFailure() {
    return Future.failedFuture(new StoreException("listener counts are closed (node stopping)"));
  }
}
