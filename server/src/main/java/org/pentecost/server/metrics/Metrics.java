package org.pentecost.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The server's meters, in one Prometheus registry. Names follow Micrometer conventions (dots,
 * rendered as underscores with unit suffixes by the Prometheus registry).
 */
public final class Metrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  public Metrics(String nodeId) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", nodeId);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * HTTP latency by route template (never the raw path: ids would explode the series). The timer of
   * each method, route and status is looked up in {@link #httpTimers}, not built and registered
   * again per request: Micrometer's registration (tags sorted, meter id hashed) took a measurable
   * share of a {@code GET /sessions/{id}}.
   */
  public void httpRequest(String method, String route, int status, long nanos) {
    httpTimers
        .computeIfAbsent(new HttpKey(method, route, status), this::httpTimer)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  private record HttpKey(String method, String route, int status) {}

  private final Map<HttpKey, Timer> httpTimers = new ConcurrentHashMap<>();

  private Timer httpTimer(HttpKey key) {
    return Timer.builder("pentecost.http.server.requests")
        .description("HTTP request latency by route")
        .tags(
            "method", key.method(), "route", key.route(), "status", Integer.toString(key.status()))
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }

  public void sessionCreated(String sourceLanguage) {
    Counter.builder("pentecost.session.creations")
        .description("Sessions created, by source language")
        .tag("source_language", sourceLanguage)
        .register(registry)
        .increment();
  }

  public void sessionEnded() {
    Counter.builder("pentecost.session.ends").register(registry).increment();
  }

  /** Sessions whose record this node wrote back after the store lost it (Redis restarted empty). */
  public void sessionsRestored(int n) {
    Counter.builder("pentecost.session.restores")
        .description("Live sessions whose record this node wrote back after the store lost it")
        .register(registry)
        .increment(n);
  }

  public void rateLimited(String limit) {
    Counter.builder("pentecost.rate.limited")
        .description("Requests refused by a rate limit")
        .tag("limit", limit)
        .register(registry)
        .increment();
  }

  /** A rate-limit check that allowed a request because the limiter's store failed. */
  public void rateLimiterFailedOpen(String limit) {
    Counter.builder("pentecost.rate.limiter.failed.open")
        .description("Rate-limit checks allowed because the limiter's store was unavailable")
        .tag("limit", limit)
        .register(registry)
        .increment();
  }

  /** Store call latency and outcome, by operation. */
  public void storeCall(String operation, boolean ok, long nanos) {
    storeTimers
        .computeIfAbsent(
            new StoreKey(operation, ok),
            key ->
                Timer.builder("pentecost.store.latency")
                    .tags("operation", key.operation(), "outcome", key.ok() ? "ok" : "error")
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  private record StoreKey(String operation, boolean ok) {}

  /** One timer per operation and outcome, looked up rather than registered per call. */
  private final Map<StoreKey, Timer> storeTimers = new ConcurrentHashMap<>();

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
