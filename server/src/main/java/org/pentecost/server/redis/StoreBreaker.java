package org.pentecost.server.redis;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.pentecost.server.error.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breaker in front of one node's Redis (a Redis Cluster counts as one). While Redis is
 * down every command would wait out {@code store.timeout}; once half of the last {@value #WINDOW}
 * commands (at least {@value #MINIMUM_CALLS}) found Redis unavailable (no answer in time, no
 * connection, LOADING...), the breaker opens and commands fail at once with {@link StoreException}
 * for {@link #OPEN_FOR}. Then it lets {@value #PROBES} commands through (half-open): if they get
 * answers it closes, else it opens again. Error replies (Redis answered) count as answers; a burst
 * of commands waiting for this node's pool counts as nothing.
 *
 * <p>No thread of its own: the breaker moves to half-open when a command asks after {@link
 * #OPEN_FOR}, and the node's lease renewal asks every third of {@code store.nodeLease}.
 */
final class StoreBreaker {
  private static final Logger LOG = LoggerFactory.getLogger(StoreBreaker.class);

  static final int WINDOW = 10;
  static final int MINIMUM_CALLS = 5;
  static final int PROBES = 3;
  static final Duration OPEN_FOR = Duration.ofSeconds(1);

  private final CircuitBreaker breaker;
  private final String description;
  private final long timeoutMillis;

  StoreBreaker(String description, long timeoutMillis) {
    this.description = description;
    this.timeoutMillis = timeoutMillis;
    this.breaker =
        CircuitBreaker.of(
            "redis",
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(WINDOW)
                .minimumNumberOfCalls(MINIMUM_CALLS)
                .failureRateThreshold(50)
                .waitDurationInOpenState(OPEN_FOR)
                .permittedNumberOfCallsInHalfOpenState(PROBES)
                .recordException(e -> true)
                .build());
    breaker.getEventPublisher().onStateTransition(e -> logged(e.getStateTransition()));
  }

  /** Whether a command may be sent now; if so, its outcome must be {@link #record}ed. */
  boolean tryAcquire() {
    return breaker.tryAcquirePermission();
  }

  /**
   * The outcome of a command sent with a permission: {@code failure} null for an answer. A timeout
   * of a command that had under a quarter of {@code store.timeout} left (it waited its turn behind
   * others first) says little about Redis and counts as nothing.
   */
  void record(Throwable failure, long budgetMillis, long tookNanos) {
    RedisFailures kind = failure == null ? RedisFailures.ANSWERED : RedisFailures.of(failure);
    boolean shortBudget = budgetMillis * 4 < timeoutMillis;
    switch (kind) {
      case ANSWERED -> breaker.onSuccess(tookNanos, TimeUnit.NANOSECONDS);
      case UNAVAILABLE -> breaker.onError(tookNanos, TimeUnit.NANOSECONDS, failure);
      case TIMEOUT -> {
        if (shortBudget) {
          breaker.releasePermission();
        } else {
          breaker.onError(tookNanos, TimeUnit.NANOSECONDS, failure);
        }
      }
      case OVERLOADED -> breaker.releasePermission();
    }
  }

  /**
   * The failure of a command refused by the open breaker; logged once per opening, not per call.
   */
  StoreException rejected(String what) {
    return StoreException.alreadyLogged(
        description
            + ": "
            + what
            + " not sent: Redis was unavailable moments ago (circuit breaker open)",
        null);
  }

  /** 0 closed, 1 half-open (probing), 2 open (failing fast). */
  int state() {
    return switch (breaker.getState()) {
      case CLOSED, DISABLED, METRICS_ONLY -> 0;
      case HALF_OPEN -> 1;
      case OPEN, FORCED_OPEN -> 2;
    };
  }

  private void logged(CircuitBreaker.StateTransition transition) {
    switch (transition) {
      case CLOSED_TO_OPEN ->
          LOG.warn(
              "store: {} is unavailable; Redis commands fail at once (circuit breaker open),"
                  + " probing again every {} ms",
              description,
              OPEN_FOR.toMillis());
      case HALF_OPEN_TO_CLOSED ->
          LOG.info("store: {} answers again; circuit breaker closed", description);
      default -> LOG.debug("store: {} circuit breaker {}", description, transition);
    }
  }
}
