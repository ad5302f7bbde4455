package org.pentecost.server.backend;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The webhook meters: {@code pentecost_webhook_deliveries_total{outcome}} (delivered, or failed
 * after its last attempt), {@code pentecost_webhook_retries_total}, {@code
 * pentecost_webhook_dropped_total{reason}} (queue_full: shed as the oldest of a full queue;
 * shutdown: still queued when the node stopped) and {@code pentecost_webhook_events_total{type}}
 * (reported by this node). Per URL and per call, {@link BackendCaller} counts too (route {@code
 * webhook}).
 */
final class WebhookMeters {
  private final MeterRegistry registry;
  private final Counter delivered;
  private final Counter failed;
  private final Counter retried;
  private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
  private final Map<String, Counter> events = new ConcurrentHashMap<>();

  WebhookMeters(MeterRegistry registry) {
    this.registry = registry;
    this.delivered = deliveries("delivered");
    this.failed = deliveries("failed");
    this.retried =
        Counter.builder("pentecost.webhook.retries")
            .description("Webhook attempts that failed and were tried again")
            .register(registry);
  }

  private Counter deliveries(String outcome) {
    return Counter.builder("pentecost.webhook.deliveries")
        .description("Webhook events per URL: delivered, or failed after the last attempt")
        .tag("outcome", outcome)
        .register(registry);
  }

  void delivered() {
    delivered.increment();
  }

  void failed() {
    failed.increment();
  }

  void retried() {
    retried.increment();
  }

  void dropped(String reason) {
    dropped(reason, 1);
  }

  void dropped(String reason, int n) {
    dropped
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("pentecost.webhook.dropped")
                    .description("Webhook events dropped before delivery, by reason")
                    .tag("reason", r)
                    .register(registry))
        .increment(n);
  }

  void event(String type) {
    events
        .computeIfAbsent(
            type,
            t ->
                Counter.builder("pentecost.webhook.events")
                    .description("Webhook events reported by this node, by type")
                    .tag("type", t)
                    .register(registry))
        .increment();
  }
}
