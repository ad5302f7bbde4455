package org.pentecost.server.backend;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.pentecost.server.config.PentecostConfig;

/**
 * Delivers webhook events to every {@code backend.webhooks} URL: each event a signed POST through
 * the {@link BackendCaller} (route {@code webhook}), at least once, from one bounded queue per URL
 * ({@link WebhookLane}). {@link #emit} only queues: nothing that reports an event (a join, a leave,
 * a publisher) ever waits for a backend.
 */
public final class WebhookDispatcher implements Webhooks {
  /** How long a stopping node gives the events still queued to go. */
  public static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private static final long STOP_POLL_MS = 50;

  private final BackendCaller caller;
  private final Clock clock;
  private final WebhookMeters meters;
  private final List<WebhookLane> lanes;
  private volatile boolean stopped;

  private WebhookDispatcher(
      PentecostConfig.Backend config, BackendCaller caller, MeterRegistry registry, Clock clock) {
    this.caller = caller;
    this.clock = clock;
    this.meters = new WebhookMeters(registry);
    this.lanes =
        config.webhooks().stream()
            .distinct()
            .map(
                url ->
                    new WebhookLane(
                        url, caller, config.webhookQueueSize(), config.webhookAttempts(), meters))
            .toList();
    Gauge.builder("pentecost.webhook.queued", this, WebhookDispatcher::pending)
        .description("Webhook events queued or in flight on this node, over every URL")
        .register(registry);
  }

  /**
   * The node's webhooks: {@link Webhooks#NONE} when no URL is configured (no queue, no meters), or
   * when there is no caller.
   */
  public static Webhooks create(
      PentecostConfig.Backend config, BackendCaller caller, MeterRegistry registry, Clock clock) {
    if (caller == null || config.webhooks().isEmpty()) {
      return NONE;
    }
    return new WebhookDispatcher(config, caller, registry, clock);
  }

  /** Always: an event reported after {@link #stop} is dropped here, and counted. */
  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void emit(String type, String sessionId, JsonObject data) {
    if (stopped) {
      meters.dropped("shutdown");
      return;
    }
    meters.event(type);
    WebhookEvent event = WebhookEvent.of(type, clock.millis(), sessionId, data);
    for (WebhookLane lane : lanes) {
      lane.offer(event);
    }
  }

  /** Events queued or in flight, over every URL. */
  public int pending() {
    int n = 0;
    for (WebhookLane lane : lanes) {
      n += lane.pending();
    }
    return n;
  }

  /**
   * Stops: events reported from now on are dropped (counted); those queued get up to {@code grace}
   * to be delivered, without further retries; what is left then is dropped (counted). Completes
   * then; the caller is closed by its owner after this.
   */
  public Future<Void> stop(Duration grace) {
    stopped = true;
    lanes.forEach(WebhookLane::closing);
    Promise<Void> done = Promise.promise();
    long until = System.nanoTime() + grace.toNanos();
    waitUntilEmpty(until, done);
    return done.future();
  }

  private void waitUntilEmpty(long until, Promise<Void> done) {
    if (pending() == 0 || System.nanoTime() - until >= 0) {
      for (WebhookLane lane : lanes) {
        int left = lane.abandon();
        if (left > 0) {
          meters.dropped("shutdown", left);
        }
      }
      done.tryComplete();
      return;
    }
    caller.later(STOP_POLL_MS, () -> waitUntilEmpty(until, done));
  }

  /** Stops {@code webhooks} if it is a dispatcher (a node stopping); nothing otherwise. */
  public static Future<Void> stop(Webhooks webhooks) {
    return webhooks instanceof WebhookDispatcher d ? d.stop(STOP_GRACE) : Future.succeededFuture();
  }
}
