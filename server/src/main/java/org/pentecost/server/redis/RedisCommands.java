package org.pentecost.server.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.pentecost.server.config.ConfigLoader;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.util.Futures;

/**
 * The one way to Redis that the stores and the rate limiter share: a pooled Vert.x Redis client
 * whose every command
 *
 * <ul>
 *   <li>is bounded by {@code store.timeout}: an unreachable or stalled Redis never hangs a caller;
 *   <li>fails with {@link StoreException} (a timeout, a refused connection, an error reply);
 *   <li>completes on the caller's Vert.x context when called from one;
 *   <li>passes a circuit breaker ({@link StoreBreaker}): while Redis is found unavailable, commands
 *       fail at once instead of each waiting out the deadline, and the breaker probes by itself;
 *   <li>is tried again after a quick "not now" when it is a read ({@link RetryPolicy}), within the
 *       same deadline.
 * </ul>
 *
 * <p>The client connects lazily and opens a new connection whenever it needs one, so a node that
 * starts while Redis is down, or sees it restart, recovers by itself once Redis answers again.
 */
public final class RedisCommands {
  private final Vertx vertx;
  private final RedisOptions options;
  private final Redis client;
  private final long timeoutMillis;
  private final String description;
  private final boolean cluster;
  private final StoreBreaker breaker;

  private RedisCommands(Vertx vertx, RedisOptions options, long timeoutMillis, String description) {
    this.cluster = options.getType() == RedisClientType.CLUSTER;
    this.vertx = vertx;
    this.options = options;
    this.client = Redis.createClient(vertx, options);
    this.timeoutMillis = timeoutMillis;
    this.description = description;
    this.breaker = new StoreBreaker(description, timeoutMillis);
  }

  /** A client for {@code store.redis}; connects on first use. */
  public static RedisCommands create(Vertx vertx, PentecostConfig.Store store) {
    PentecostConfig.Redis redis = store.redis();
    long timeout = store.timeout().toMillis();
    NetClientOptions tcp =
        new NetClientOptions()
            .setTcpNoDelay(true)
            .setTcpKeepAlive(true)
            // a black-holed address must not keep pool waiters past the callers' deadline
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout));
    if (redis.url().startsWith("rediss://")) {
      tcp.setHostnameVerificationAlgorithm("HTTPS");
    }
    RedisOptions options =
        new RedisOptions()
            .setType(redis.isCluster() ? RedisClientType.CLUSTER : RedisClientType.STANDALONE)
            .setNetClientOptions(tcp)
            .setMaxPoolSize(redis.poolSize())
            .setMaxPoolWaiting(redis.poolWaiting())
            .setConnectionString(redis.url());
    if (redis.isCluster()) {
      redis.endpoints().forEach(options::addConnectionString);
    }
    String description =
        "redis " + (redis.isCluster() ? "cluster " : "") + ConfigLoader.redactPassword(redis.url());
    return new RedisCommands(vertx, options, timeout, description);
  }

  /**
   * A client of the same Redis apart from the shared pool, for connections that are held for good
   * (a subscription, an ordered stream of commands); each {@code connect()} opens one.
   */
  public Redis dedicatedClient() {
    return Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(4));
  }

  /** Where this client connects, password redacted; for logs and messages. */
  public String description() {
    return description;
  }

  /** Whether this is a Redis Cluster (commands go to the shard of their keys). */
  public boolean isCluster() {
    return cluster;
  }

  public long timeoutMillis() {
    return timeoutMillis;
  }

  /** Sends one command. */
  public Future<Response> send(Command command, Object... args) {
    return send(Request.cmd(command, args));
  }

  public Future<Response> send(Request request) {
    return send(request, timeoutMillis);
  }

  /** Sends one command with its own deadline (at most {@code timeoutMillis} from now). */
  public Future<Response> send(Request request, long timeoutMillis) {
    return call(
        () -> raw(request),
        request.command().toString(),
        timeoutMillis,
        RetryPolicy.retries(request.command()));
  }

  /** Runs a script by its SHA-1, sending its source when the server does not know it (NOSCRIPT). */
  public Future<Response> eval(LuaScript script, List<String> keys, List<?> args) {
    return eval(script, keys, args, timeoutMillis);
  }

  /** Scripts are never retried (see {@link RetryPolicy}). */
  public Future<Response> eval(
      LuaScript script, List<String> keys, List<?> args, long timeoutMillis) {
    Supplier<Future<Response>> attempt =
        () ->
            raw(scriptRequest(Command.EVALSHA, script.sha1(), keys, args))
                .recover(
                    e ->
                        isNoScript(e)
                            ? raw(scriptRequest(Command.EVAL, script.source(), keys, args))
                            : Future.failedFuture(e));
    return call(attempt, "script " + script.name(), timeoutMillis, false);
  }

  /** The circuit breaker's state: 0 closed, 1 half-open (probing), 2 open (failing fast). */
  public int breakerState() {
    return breaker.state();
  }

  /** Closes the pooled connections. */
  public Future<Void> close() {
    return client.close();
  }

  private Future<Response> raw(Request request) {
    try {
      return client.send(request);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static Request scriptRequest(
      Command command, String scriptOrSha, List<String> keys, List<?> args) {
    Request request = Request.cmd(command).arg(scriptOrSha).arg(keys.size());
    keys.forEach(request::arg);
    for (Object arg : args) {
      request.arg(String.valueOf(arg));
    }
    return request;
  }

  private static boolean isNoScript(Throwable e) {
    return e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
  }

  /**
   * Runs {@code attempt} through the breaker, again after a quick failure when {@code idempotent},
   * every attempt within one deadline of {@code timeoutMillis} from now.
   */
  private Future<Response> call(
      Supplier<Future<Response>> attempt, String what, long timeoutMillis, boolean idempotent) {
    Context caller = Vertx.currentContext();
    long budget = Math.max(1, timeoutMillis);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budget);
    Promise<Response> outcome = Promise.promise();
    attempt(attempt, what, deadline, idempotent, 1, outcome);
    Future<Response> result =
        outcome
            .future()
            .timeout(budget, TimeUnit.MILLISECONDS)
            .recover(e -> Future.failedFuture(failure(what, budget, e)));
    return caller == null ? result : Futures.onContext(result, caller);
  }

  private void attempt(
      Supplier<Future<Response>> attempt,
      String what,
      long deadline,
      boolean idempotent,
      int n,
      Promise<Response> outcome) {
    if (!breaker.tryAcquire()) {
      outcome.tryFail(breaker.rejected(what));
      return;
    }
    long budget = remainingMillis(deadline);
    long start = System.nanoTime();
    attempt
        .get()
        .timeout(budget, TimeUnit.MILLISECONDS)
        .onComplete(
            ar -> {
              breaker.record(ar.failed() ? ar.cause() : null, budget, System.nanoTime() - start);
              if (ar.succeeded()) {
                outcome.tryComplete(ar.result());
                return;
              }
              long delay =
                  idempotent
                      ? RetryPolicy.delayBefore(n + 1, ar.cause(), remainingMillis(deadline))
                      : -1;
              if (delay < 0 || outcome.future().isComplete()) {
                outcome.tryFail(ar.cause());
                return;
              }
              try {
                vertx.setTimer(
                    delay, t -> attempt(attempt, what, deadline, idempotent, n + 1, outcome));
              } catch (RuntimeException closed) {
                outcome.tryFail(ar.cause());
              }
            });
  }

  private static long remainingMillis(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  private StoreException failure(String what, long timeoutMillis, Throwable e) {
    if (e instanceof StoreException s) {
      return s;
    }
    String why =
        e instanceof TimeoutException
            ? "no answer within " + timeoutMillis + " ms"
            : String.valueOf(e.getMessage());
    return new StoreException(description + ": " + what + " failed: " + why, e);
  }
}
