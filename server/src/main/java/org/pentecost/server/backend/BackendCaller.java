package org.pentecost.server.backend;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.pentecost.server.config.PentecostConfig;

/**
 * Every request Pentecost makes to a backend: a signed JSON POST with a deadline, through a circuit
 * breaker per URL, measured per route.
 *
 * <p>It runs on a Vert.x instance of its own (one event loop), so that a slow or dead backend never
 * holds a thread that carries audio; callers get their result back on their own context through
 * {@link org.pentecost.server.util.Futures#onContext}.
 *
 * <p>A 2xx or 4xx answer is the backend speaking (a 4xx on {@code $connect} refuses the
 * connection); a 5xx, a time-out, a refused connection or a reply over {@link #MAX_REPLY_BYTES} is
 * a failure, which the breaker counts. While the breaker is open a call fails at once with {@link
 * BackendUnavailable}; after {@code backend.breakerOpenFor} a few calls try the backend again, and
 * their success closes it.
 */
public final class BackendCaller {
  /** The largest reply read from a backend (a route's reply goes to a client as one message). */
  public static final int MAX_REPLY_BYTES = 128 * 1024;

  /** What a backend answered. */
  public record Reply(int status, Buffer body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  /** The call did not reach an answer: failed, timed out, or refused by an open breaker. */
  public static final class BackendUnavailable extends RuntimeException {
    private final boolean breakerOpen;

    BackendUnavailable(String message, boolean breakerOpen, Throwable cause) {
      super(message, cause, false, false);
      this.breakerOpen = breakerOpen;
    }

    public boolean breakerOpen() {
      return breakerOpen;
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final Signature signature;
  private final long timeoutMillis;
  private final CircuitBreakerConfig breakerConfig;
  private final MeterRegistry registry;
  private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public BackendCaller(PentecostConfig.Backend config, MeterRegistry registry) {
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                .setConnectTimeout((int) Math.min(config.timeout().toMillis(), 10_000))
                .setMaxInitialLineLength(8192),
            new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(10_000));
    this.signature = new Signature(config.signingSecret());
    this.timeoutMillis = config.timeout().toMillis();
    this.registry = registry;
    this.breakerConfig =
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(20)
            .minimumNumberOfCalls(5)
            .failureRateThreshold(50)
            .waitDurationInOpenState(config.breakerOpenFor())
            .permittedNumberOfCallsInHalfOpenState(3)
            .recordException(e -> true)
            .build();
  }

  /**
   * POSTs {@code body} (JSON) to {@code url}, signed; {@code route} names the call in the metrics
   * (a route key, or {@code webhook}). Completes on the caller's own thread or the caller's context
   * only through {@link org.pentecost.server.util.Futures#onContext}.
   */
  public Future<Reply> post(String url, String route, Buffer body) {
    CircuitBreaker breaker = breaker(url);
    Counter.Builder calls = Counter.builder("pentecost_backend_calls").tag("route", route);
    if (!breaker.tryAcquirePermission()) {
      calls.tag("outcome", "breaker_open").register(registry).increment();
      return Future.failedFuture(
          new BackendUnavailable(
              "the backend's circuit breaker is open",
              true,
              CallNotPermittedException.createCallNotPermittedException(breaker)));
    }
    long start = System.nanoTime();
    Promise<Reply> result = Promise.promise();
    vertx.runOnContext(v -> send(url, body, result));
    return result
        .future()
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .transform(
            ar -> {
              long took = System.nanoTime() - start;
              timer(route).record(took, TimeUnit.NANOSECONDS);
              if (ar.succeeded() && ar.result().status() < 500) {
                breaker.onSuccess(took, TimeUnit.NANOSECONDS);
                calls
                    .tag("outcome", ar.result().ok() ? "ok" : "refused")
                    .register(registry)
                    .increment();
                return Future.succeededFuture(ar.result());
              }
              Throwable cause =
                  ar.succeeded()
                      ? new IllegalStateException("HTTP " + ar.result().status())
                      : ar.cause();
              breaker.onError(took, TimeUnit.NANOSECONDS, cause);
              calls.tag("outcome", "failed").register(registry).increment();
              return Future.failedFuture(new BackendUnavailable(describe(cause), false, cause));
            });
  }

  private void send(String url, Buffer body, Promise<Reply> result) {
    long now = System.currentTimeMillis() / 1000;
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(url)
            .setIdleTimeout(timeoutMillis)
            .putHeader("Content-Type", "application/json")
            .putHeader("User-Agent", "Pentecost")
            .putHeader(Signature.HEADER, signature.header(now, body.getBytes()));
    client
        .request(options)
        .compose(
            request ->
                request
                    .send(body)
                    .compose(
                        response -> {
                          String length = response.getHeader("Content-Length");
                          if (length != null && parse(length) > MAX_REPLY_BYTES) {
                            request.reset();
                            return Future.failedFuture(
                                new IllegalStateException(
                                    "reply over " + MAX_REPLY_BYTES + " bytes"));
                          }
                          return response.body().map(b -> new Reply(response.statusCode(), b));
                        }))
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result().body().length() > MAX_REPLY_BYTES) {
                result.tryFail(
                    new IllegalStateException("reply over " + MAX_REPLY_BYTES + " bytes"));
              } else if (ar.succeeded()) {
                result.tryComplete(ar.result());
              } else {
                result.tryFail(ar.cause());
              }
            });
  }

  /** The breaker of {@code url}: 0 closed, 1 half-open, 2 open (as the gauge reports it). */
  public int breakerState(String url) {
    return stateCode(breaker(url).getState());
  }

  /**
   * Runs {@code task} on the caller's own event loop after {@code delayMillis} (0: as soon as it is
   * free): work about calls (webhook queues, retries) never runs on a thread that carries audio.
   * Ignored once closed.
   */
  public void later(long delayMillis, Runnable task) {
    try {
      if (delayMillis <= 0) {
        vertx.runOnContext(v -> task.run());
      } else {
        vertx.setTimer(delayMillis, t -> task.run());
      }
    } catch (RuntimeException e) {
      // closed: nothing runs any more
    }
  }

  public Future<Void> close() {
    return client.close().eventually(vertx::close);
  }

  private CircuitBreaker breaker(String url) {
    return breakers.computeIfAbsent(
        url,
        u -> {
          CircuitBreaker b = CircuitBreaker.of(u, breakerConfig);
          Gauge.builder("pentecost_backend_breaker_state", b, x -> stateCode(x.getState()))
              .description("A backend URL's circuit breaker: 0 closed, 1 half-open, 2 open")
              .tag("url", label(u))
              .register(registry);
          return b;
        });
  }

  private Timer timer(String route) {
    return timers.computeIfAbsent(
        route,
        r ->
            Timer.builder("pentecost_backend_call")
                .description("Calls to a backend, by route (webhook for webhooks)")
                .tag("route", r)
                .publishPercentiles(0.5, 0.99)
                .register(registry));
  }

  private static int stateCode(CircuitBreaker.State state) {
    return switch (state) {
      case CLOSED, DISABLED, METRICS_ONLY -> 0;
      case HALF_OPEN -> 1;
      case OPEN, FORCED_OPEN -> 2;
    };
  }

  /** A URL fit for a metric label: scheme, host, port and path (no query, no user info). */
  private static String label(String url) {
    try {
      URI u = URI.create(url);
      return u.getScheme()
          + "://"
          + u.getHost()
          + (u.getPort() < 0 ? "" : ":" + u.getPort())
          + (u.getPath() == null ? "" : u.getPath());
    } catch (IllegalArgumentException e) {
      return "invalid";
    }
  }

  private static long parse(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static String describe(Throwable cause) {
    if (cause instanceof java.util.concurrent.TimeoutException
        || cause instanceof io.vertx.core.http.HttpClosedException) {
      return "the backend did not answer in time";
    }
    return "the backend failed: " + cause.getMessage();
  }

  /** How long a call may take, for callers that wait (tests, documentation). */
  public Duration timeout() {
    return Duration.ofMillis(timeoutMillis);
  }
}
