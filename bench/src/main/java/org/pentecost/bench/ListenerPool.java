package org.pentecost.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The listener WebSockets of a run, for both benchmarks: one WebSocket client per source address,
 * and one {@link ListenerDriver} per event loop (listener i on driver i mod loops), which share the
 * rate and the handshakes in flight. Adds up the drivers' progress numbers and merges their
 * statistics.
 *
 * <p>Use from one thread: {@link #deploy}, {@link #start}, then optionally {@link #stopLaunching},
 * then {@link #closeAll}, {@link #result} and {@link #shutdown}.
 */
final class ListenerPool {

  /** Which session and language the i-th listener uses. */
  record Plan(
      List<String> sessionIds,
      int listenersPerSession,
      List<String> languages,
      boolean interleaved) {
    Plan {
      sessionIds = List.copyOf(sessionIds);
      languages = List.copyOf(languages);
    }

    int total() {
      return sessionIds.size() * listenersPerSession;
    }

    /** Sequential: session 0 fills first, then session 1; interleaved: round-robin. */
    int sessionIndex(int i) {
      return interleaved ? i % sessionIds.size() : i / listenersPerSession;
    }

    /** Position of listener i inside its session. */
    int slot(int i) {
      return interleaved ? i / sessionIds.size() : i % listenersPerSession;
    }

    int languageIndex(int i) {
      return slot(i) % languages.size();
    }
  }

  /** How fast (a rate of 0 = no limit) and from where. */
  record Settings(
      double ratePerSecond,
      int concurrency,
      int eventLoops,
      long connectTimeoutMillis,
      List<String> sourceAddresses) {
    Settings {
      sourceAddresses = List.copyOf(sourceAddresses);
    }
  }

  private final Vertx vertx;
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final List<ListenerDriver> drivers = new ArrayList<>();

  ListenerPool(Vertx vertx, ListenerRoutes routes, Settings settings) {
    this.vertx = vertx;
    List<String> addresses =
        settings.sourceAddresses().isEmpty()
            ? Collections.singletonList(null)
            : settings.sourceAddresses();
    for (String address : addresses) {
      WebSocketClientOptions options =
          new WebSocketClientOptions()
              .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeoutMillis()))
              // The pool's own limit counts open connections, not handshakes: lift it; the
              // drivers bound the handshakes in flight themselves.
              .setMaxConnections(Integer.MAX_VALUE);
      if (address != null) {
        options.setLocalAddress(address);
      }
      clients.add(vertx.createWebSocketClient(options));
    }
    int total = routes.total();
    int k = settings.eventLoops();
    double ratePerDriver = settings.ratePerSecond() / k;
    int concurrencyPerDriver = Math.max(1, (settings.concurrency() + k - 1) / k);
    for (int d = 0; d < k; d++) {
      int count = total / k + (d < total % k ? 1 : 0);
      drivers.add(
          new ListenerDriver(
              vertx,
              clients,
              routes,
              d,
              k,
              count,
              ratePerDriver,
              concurrencyPerDriver,
              settings.connectTimeoutMillis()));
    }
  }

  /** The drivers, driver d on event loop d. */
  List<ListenerDriver> drivers() {
    return Collections.unmodifiableList(drivers);
  }

  /** Deploys one driver per event loop (each deployment gets its own event-loop context). */
  Future<Void> deploy() {
    return all(vertx::deployVerticle);
  }

  /** Starts the ramp; completes when every listener has joined or failed (or after a stop). */
  Future<Void> start() {
    long t0 = System.nanoTime();
    return all(d -> d.start(t0));
  }

  /** Stops opening new connections (the deadline passed); the ramp future completes. */
  Future<Void> stopLaunching() {
    return all(ListenerDriver::stop);
  }

  /** Joined so far (read from any thread, for progress lines). */
  int joinedCount() {
    return sum(t -> t.joinedCount);
  }

  int failedCount() {
    return sum(t -> t.failedCount);
  }

  int inFlightCount() {
    return sum(t -> t.inFlightCount);
  }

  /** Joined and still open. */
  int openCount() {
    return sum(t -> t.openCount);
  }

  /** Joined, then closed by the server. */
  int droppedCount() {
    return sum(t -> t.droppedCount);
  }

  private int sum(ToIntFunction<ListenerTally> count) {
    int n = 0;
    for (ListenerDriver d : drivers) {
      n += count.applyAsInt(d.tally);
    }
    return n;
  }

  /**
   * Closes every connection with 1000 and waits for the server's close, at most {@code
   * timeoutMillis}; connections still in their handshake are abandoned.
   */
  Future<Void> closeAll(long timeoutMillis) {
    return all(d -> d.closeAll(timeoutMillis));
  }

  /** Merges the drivers' numbers (each read on its own event loop). */
  Future<ListenerStats> result() {
    List<Future<ListenerStats>> all = new ArrayList<>();
    for (ListenerDriver d : drivers) {
      all.add(d.stats());
    }
    return Future.all(all).map(cf -> ListenerStats.merge(cf.list()));
  }

  /** Closes the clients. */
  Future<Void> shutdown() {
    List<Future<Void>> all = new ArrayList<>();
    for (WebSocketClient c : clients) {
      all.add(c.close());
    }
    return Future.join(all).mapEmpty();
  }

  private Future<Void> all(Function<ListenerDriver, Future<?>> step) {
    List<Future<?>> all = new ArrayList<>();
    for (ListenerDriver d : drivers) {
      all.add(step.apply(d));
    }
    return Future.all(all).mapEmpty();
  }
}
