package org.pentecost.server.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
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
 *   <li>completes on the caller's Vert.x context when called from one.
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

  private RedisCommands(Vertx vertx, RedisOptions options, long timeoutMillis, String description) {
    this.cluster = options.getType() == RedisClientType.CLUSTER;
    this.vertx = vertx;
    this.options = options;
    this.client = Redis.createClient(vertx, options);
    this.timeoutMillis = timeoutMillis;
    this.description = description;
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
    Context caller = Vertx.currentContext();
    return bounded(raw(request), request.command().toString(), timeoutMillis, caller);
  }

  /** Runs a script by its SHA-1, sending its source when the server does not know it (NOSCRIPT). */
  public Future<Response> eval(LuaScript script, List<String> keys, List<?> args) {
    return eval(script, keys, args, timeoutMillis);
  }

  public Future<Response> eval(
      LuaScript script, List<String> keys, List<?> args, long timeoutMillis) {
    Context caller = Vertx.currentContext();
    Future<Response> result =
        raw(scriptRequest(Command.EVALSHA, script.sha1(), keys, args))
            .recover(
                e ->
                    isNoScript(e)
                        ? raw(scriptRequest(Command.EVAL, script.source(), keys, args))
                        : Future.failedFuture(e));
    return bounded(result, "script " + script.name(), timeoutMillis, caller);
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

  private <T> Future<T> bounded(Future<T> f, String what, long timeoutMillis, Context caller) {
    Future<T> result =
        f.timeout(Math.max(1, timeoutMillis), TimeUnit.MILLISECONDS)
            .recover(e -> Future.failedFuture(failure(what, timeoutMillis, e)));
    return caller == null ? result : Futures.onContext(result, caller);
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
