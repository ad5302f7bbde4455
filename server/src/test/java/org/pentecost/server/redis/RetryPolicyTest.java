package org.pentecost.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.impl.NoStackTraceTimeoutException;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.impl.types.ErrorType;
import java.net.ConnectException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which Redis commands are tried again, after which failures, and how long a retry waits. */
class RetryPolicyTest {

  @Test
  void onlyReadOnlyCommandsRetry() {
    // the reads the stores, the broker and the lease make
    for (Command read :
        List.of(
            Command.GET,
            Command.HGETALL,
            Command.LRANGE,
            Command.ZRANGE,
            Command.SMEMBERS,
            Command.EXISTS,
            Command.SCARD,
            Command.PUBSUB)) {
      assertThat(RetryPolicy.retries(read)).as(read.toString()).isTrue();
    }
    // writes, scripts (EVALSHA/EVAL: every script, idempotent or not) and the health probe
    for (Command once :
        List.of(
            Command.SET,
            Command.DEL,
            Command.SADD,
            Command.SREM,
            Command.ZADD,
            Command.ZREM,
            Command.PEXPIRE,
            Command.HSET,
            Command.PUBLISH,
            Command.EVALSHA,
            Command.EVAL,
            Command.SCRIPT,
            Command.PING)) {
      assertThat(RetryPolicy.retries(once)).as(once.toString()).isFalse();
    }
  }

  @Test
  void aQuickNotNowIsRetriedAnAnswerOrATimeoutIsNot() {
    long plenty = 2_000;
    for (Throwable notNow :
        List.of(
            new ConnectException("Connection refused"),
            ErrorType.create("CONNECTION_CLOSED"),
            ErrorType.create("LOADING Redis is loading the dataset in memory"),
            ErrorType.create("TRYAGAIN Multiple keys request during rehashing of slot"),
            ErrorType.create("CLUSTERDOWN The cluster is down"),
            ErrorType.create("BUSY Redis is busy running a script"))) {
      assertThat(RetryPolicy.delayBefore(2, notNow, plenty)).as(notNow.toString()).isPositive();
    }
    for (Throwable final_ :
        List.of(
            ErrorType.create("WRONGTYPE Operation against a key holding the wrong kind of value"),
            ErrorType.create("ERR syntax error"),
            ErrorType.create("OOM command not allowed when used memory > 'maxmemory'"),
            new NoStackTraceTimeoutException("timeout"),
            new ConnectionPoolTooBusyException("pool full"))) {
      assertThat(RetryPolicy.delayBefore(2, final_, plenty)).as(final_.toString()).isEqualTo(-1);
    }
  }

  @Test
  void retriesAreFewAndNeverRunPastTheDeadline() {
    Throwable refused = new ConnectException("Connection refused");
    assertThat(RetryPolicy.delayBefore(RetryPolicy.MAX_ATTEMPTS, refused, 10_000)).isPositive();
    assertThat(RetryPolicy.delayBefore(RetryPolicy.MAX_ATTEMPTS + 1, refused, 10_000))
        .isEqualTo(-1);
    // too little time left for the pause and a useful attempt after it
    assertThat(RetryPolicy.delayBefore(2, refused, RetryPolicy.MIN_ATTEMPT_MILLIS)).isEqualTo(-1);
    assertThat(RetryPolicy.delayBefore(2, refused, 0)).isEqualTo(-1);
  }

  @Test
  void theBackoffGrowsIsJitteredAndCapped() {
    long total = 0;
    for (int i = 0; i < 1_000; i++) {
      long first = RetryPolicy.backoff(2);
      long second = RetryPolicy.backoff(3);
      long third = RetryPolicy.backoff(4);
      assertThat(first).isBetween(13L, 25L);
      assertThat(second).isBetween(38L, 75L);
      assertThat(third).isBetween(113L, 225L);
      assertThat(RetryPolicy.backoff(10)).isBetween(125L, RetryPolicy.MAX_DELAY_MILLIS);
      total = Math.max(total, first + second + third);
    }
    // every pause of one read together stays well inside the default store.timeout (2 s)
    assertThat(total).isLessThan(500);
  }
}
