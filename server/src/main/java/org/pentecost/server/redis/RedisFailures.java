package org.pentecost.server.redis;

import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * What a failed Redis command says about Redis: the one place that tells an error reply (Redis
 * answered; it is up) from Redis being unavailable (no connection, no answer in time, or a reply
 * that means "not now"). The circuit breaker counts only the latter, and retries follow only a fast
 * "not now".
 */
enum RedisFailures {
  /** Redis answered with an error of the command (WRONGTYPE, NOSCRIPT, OOM...): it is up. */
  ANSWERED,
  /**
   * Redis cannot serve now, and said so quickly: the connection was refused, reset or closed, or it
   * replied LOADING, BUSY, TRYAGAIN, CLUSTERDOWN or MASTERDOWN. Counted by the breaker; an
   * idempotent read tries again.
   */
  UNAVAILABLE,
  /** No answer within the command's deadline. Counted by the breaker; nothing left to retry in. */
  TIMEOUT,
  /**
   * This node has more commands waiting for a connection than {@code store.redis.poolWaiting}: a
   * burst here, which says nothing of Redis. Not counted by the breaker, not retried.
   */
  OVERLOADED;

  /** Error replies meaning "Redis is up but cannot serve this now"; CONNECTION_CLOSED is local. */
  private static final Set<String> NOT_NOW =
      Set.of("LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "CONNECTION_CLOSED");

  static RedisFailures of(Throwable e) {
    if (e instanceof TimeoutException) {
      return TIMEOUT;
    }
    if (e instanceof ConnectionPoolTooBusyException) {
      return OVERLOADED;
    }
    if (e instanceof Response reply && reply.type() == ResponseType.ERROR) {
      return NOT_NOW.contains(kind(e.getMessage())) ? UNAVAILABLE : ANSWERED;
    }
    return UNAVAILABLE;
  }

  private static String kind(String message) {
    if (message == null) {
      return "";
    }
    int space = message.indexOf(' ');
    return space < 0 ? message : message.substring(0, space);
  }
}
