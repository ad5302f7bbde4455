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

  /** HTTP latency by route template (never the raw path: ids would explode the series). */
  public void httpRequest(String method, String route, int status, long nanos) {
    Timer.builder("pentecost.http.server.requests")
        .description("HTTP request latency by route")
        .tags("method", method, "route", route, "status", Integer.toString(status))
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry)
        .record(Duration.ofNanos(nanos));
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
    Timer.builder("pentecost.store.latency")
        .tags("operation", operation, "outcome", ok ? "ok" : "error")
        .register(registry)
        .record(Duration.ofNanos(nanos));
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
