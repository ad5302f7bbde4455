package org.pentecost.server.backend;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.pentecost.server.config.PentecostConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the route events of every connection of the node to the backend through one {@link
 * BackendCaller}, each connection in its own lane: its events reach the backend in order, one at a
 * time (the next leaves when the one before has its answer), and at most {@code
 * backend.maxPendingPerConnection} wait or are in flight; past that an event is refused with {@link
 * Throttled}. A {@code $disconnect} always joins the end of its lane, whatever the bound, and is
 * tried again with backoff (1, 2, 4 s) while the backend fails; it is the last event of its
 * connection. A lane exists only while it has events, so nothing of a connection is held once its
 * {@code $disconnect} is out.
 *
 * <p>Thread-safe: events are submitted from any event loop; answers complete on the caller's own
 * event loop (callers move them to theirs with {@link
 * org.pentecost.server.util.Futures#onContext}).
 */
public final class RouteDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(RouteDispatcher.class);

  public static final String CONNECT = "$connect";
  public static final String DISCONNECT = "$disconnect";
  public static final String DEFAULT = "$default";

  /** Waits before each further attempt of a {@code $disconnect}. */
  private static final long[] DISCONNECT_RETRIES_MS = {1000, 2000, 4000};

  /** The connection already has {@code backend.maxPendingPerConnection} events waiting. */
  public static final class Throttled extends RuntimeException {
    Throttled(int bound) {
      super(
          "more than " + bound + " messages of this connection wait for the backend",
          null,
          false,
          false);
    }
  }

  private record Item(
      String route, String url, JsonObject event, Promise<BackendCaller.Reply> result) {
    boolean isDisconnect() {
      return route.equals(DISCONNECT);
    }
  }

  /** One connection's events: the one in flight ({@code busy}) and those waiting behind it. */
  private static final class Lane {
    final ArrayDeque<Item> waiting = new ArrayDeque<>();
    boolean busy;

    int size() {
      return waiting.size() + (busy ? 1 : 0);
    }
  }

  private final Vertx vertx;
  private final BackendCaller caller;
  private final Map<String, String> routes;
  private final int maxPending;
  private final RouteEvent events;
  private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final MeterRegistry registry;
  private final Counter retries;
  private final Counter dropped;

  /** Set once the node has stopped waiting for its last events: nothing more is sent. */
  private volatile boolean settled;

  /**
   * @param vertx the node's Vert.x, for the timers of retries only
   * @param nodeId the node's id, {@code apiId} in the events
   */
  public RouteDispatcher(
      Vertx vertx,
      BackendCaller caller,
      PentecostConfig config,
      String nodeId,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.caller = caller;
    this.routes = Map.copyOf(config.backend().routes());
    this.maxPending = config.backend().maxPendingPerConnection();
    this.events = new RouteEvent(nodeId, config.profile());
    this.registry = registry;
    Gauge.builder("pentecost.backend.route.pending", pending, AtomicInteger::get)
        .description("Route events waiting for or at the backend on this node")
        .register(registry);
    Gauge.builder("pentecost.backend.route.lanes", lanes, Map::size)
        .description("Connections with route events waiting for or at the backend on this node")
        .register(registry);
    this.retries =
        Counter.builder("pentecost.backend.disconnect.retries")
            .description("Further attempts of $disconnect events after a failure")
            .register(registry);
    this.dropped =
        Counter.builder("pentecost.backend.disconnect.dropped")
            .description("$disconnect events given up after their last attempt failed")
            .register(registry);
  }

  /** Whether {@code routeKey} has a URL. */
  public boolean has(String routeKey) {
    return routeKey != null && routes.containsKey(routeKey);
  }

  /** Builds the events this dispatcher sends. */
  public RouteEvent events() {
    return events;
  }

  /**
   * Queues {@code event} on {@code routeKey} in the lane of {@code connectionId}; completes with
   * the backend's answer (any status), or fails with {@link BackendCaller.BackendUnavailable} or,
   * at once, with {@link Throttled}.
   */
  public Future<BackendCaller.Reply> send(String connectionId, String routeKey, JsonObject event) {
    return enqueue(connectionId, routeKey, event);
  }

  /**
   * Queues the {@code $disconnect} of {@code connectionId} after its other events, whatever the
   * bound; it is tried again with backoff while the backend fails. Call it once per connection, as
   * its last event.
   */
  public void disconnect(String connectionId, JsonObject event) {
    enqueue(connectionId, DISCONNECT, event);
  }

  private Future<BackendCaller.Reply> enqueue(
      String connectionId, String routeKey, JsonObject event) {
    String url = routes.get(routeKey);
    if (url == null) {
      return Future.failedFuture(new IllegalArgumentException("no route " + routeKey));
    }
    if (settled) {
      return Future.failedFuture(
          new BackendCaller.BackendUnavailable("the node has stopped", false, null));
    }
    Item item = new Item(routeKey, url, event, Promise.promise());
    Item[] start = new Item[1];
    boolean[] throttled = new boolean[1];
    lanes.compute(
        connectionId,
        (id, lane) -> {
          Lane l = lane == null ? new Lane() : lane;
          if (!item.isDisconnect() && l.size() >= maxPending) {
            throttled[0] = true;
            return lane;
          }
          if (l.busy) {
            l.waiting.add(item);
          } else {
            l.busy = true;
            start[0] = item;
          }
          return l;
        });
    if (throttled[0]) {
      Counter.builder("pentecost.backend.route.throttled")
          .description("Route events refused because their connection had too many waiting")
          .tag("route", routeKey)
          .register(registry)
          .increment();
      return Future.failedFuture(new Throttled(maxPending));
    }
    pending.incrementAndGet();
    if (start[0] != null) {
      run(connectionId, start[0]);
    }
    return item.result().future();
  }

  private void run(String connectionId, Item item) {
    Future<BackendCaller.Reply> sent =
        item.isDisconnect()
            ? attempt(item, 0)
            : caller.post(item.url(), item.route(), item.event().toBuffer());
    sent.onComplete(
        ar -> {
          pending.decrementAndGet();
          item.result().handle(ar);
          next(connectionId);
        });
  }

  /** The lane's next event, or the lane's end when it has none. */
  private void next(String connectionId) {
    Item[] start = new Item[1];
    lanes.computeIfPresent(
        connectionId,
        (id, lane) -> {
          start[0] = lane.waiting.poll();
          return start[0] == null ? null : lane;
        });
    if (start[0] != null) {
      run(connectionId, start[0]);
    }
  }

  /** A {@code $disconnect}: again after a failure (not after an answer), while attempts remain. */
  private Future<BackendCaller.Reply> attempt(Item item, int done) {
    return caller
        .post(item.url(), item.route(), item.event().toBuffer())
        .recover(
            e -> {
              if (done >= DISCONNECT_RETRIES_MS.length || settled) {
                dropped.increment();
                LOG.warn(
                    "$disconnect of {} given up after {} attempts: {}",
                    item.event().getJsonObject("requestContext").getString("connectionId"),
                    done + 1,
                    e.getMessage());
                return Future.failedFuture(e);
              }
              retries.increment();
              Promise<Void> waited = Promise.promise();
              vertx.setTimer(DISCONNECT_RETRIES_MS[done], t -> waited.complete());
              return waited.future().compose(v -> attempt(item, done + 1));
            });
  }

  /** Whether no event waits or is in flight. */
  public boolean idle() {
    return lanes.isEmpty();
  }

  /**
   * Completes once {@code done} is true and no event waits, or after {@code grace}, whichever comes
   * first: a stopping node gives its last {@code $disconnect}s a bounded time to go out.
   */
  public Future<Void> settle(BooleanSupplier done, Duration grace) {
    Promise<Void> settled = Promise.promise();
    long deadline = System.currentTimeMillis() + grace.toMillis();
    settled.future().onComplete(v -> this.settled = true);
    if (done.getAsBoolean() && idle()) {
      settled.complete();
      return settled.future();
    }
    vertx.setPeriodic(
        20,
        id -> {
          if ((done.getAsBoolean() && idle()) || System.currentTimeMillis() >= deadline) {
            vertx.cancelTimer(id);
            if (!idle()) {
              LOG.warn(
                  "stopping with {} route events still waiting for the backend", pending.get());
            }
            settled.tryComplete();
          }
        });
    return settled.future();
  }
}
