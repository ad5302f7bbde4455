package org.pentecost.bench;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The per-loop driver of both benchmarks: one event loop's share of the run's listeners, {@code id,
 * id + stride, id + 2 stride, ...} of the {@link ListenerRoutes}. It opens them at most {@code
 * rate} per second (0 = no limit) with at most {@code concurrency} handshakes in flight, holds them
 * and closes them. It owns its connections, their {@link ListenerTally} and whatever runs {@link
 * #on} its loop, so nothing on the connection path is shared or locked.
 *
 * <p>Use: deploy it (it gets its own event-loop context), {@link #start}, then optionally {@link
 * #stop}, then {@link #closeAll} and {@link #stats}. The methods named "on loop" must be called on
 * its loop.
 */
final class ListenerDriver implements Deployable {
  private final Vertx vertx;
  private final List<WebSocketClient> clients;
  private final ListenerRoutes routes;
  private final int id;
  private final int stride;
  private final int count;
  private final double rate;
  private final int concurrency;
  private final long connectTimeoutMillis;
  private final ListenerConnection[] conns;
  private final Promise<Void> rampDone = Promise.promise();
  private IntFunction<Handler<Buffer>> frames;
  private Context context;
  private long timer = -1;
  private boolean stopped;
  private int launched;
  private int closing;
  private Promise<Void> closeDone;

  /** Read on any thread for progress lines; see {@link ListenerTally}. */
  final ListenerTally tally;

  /**
   * Listeners {@code id, id + stride, ...}, {@code count} of them, over {@code clients} (listener i
   * on client i mod their number).
   */
  ListenerDriver(
      Vertx vertx,
      List<WebSocketClient> clients,
      ListenerRoutes routes,
      int id,
      int stride,
      int count,
      double rate,
      int concurrency,
      long connectTimeoutMillis) {
    this.vertx = vertx;
    this.clients = clients;
    this.routes = routes;
    this.id = id;
    this.stride = stride;
    this.count = count;
    this.rate = rate;
    this.concurrency = concurrency;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.conns = new ListenerConnection[count];
    this.tally = new ListenerTally(count);
  }

  /**
   * Before {@link #start}: the binary messages of listener i go to {@code frames.apply(i)}, called
   * on this loop when the listener starts its handshake. Without it they are dropped.
   */
  void receiveFrames(IntFunction<Handler<Buffer>> frames) {
    this.frames = frames;
  }

  /** The run's index of this driver's {@code local}-th listener. */
  int index(int local) {
    return id + local * stride;
  }

  @Override
  public Future<?> deploy(Context context) {
    this.context = context;
    return Future.succeededFuture();
  }

  /** Runs {@code task} on this loop. */
  <T> Future<T> on(Supplier<Future<T>> task) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> task.get().onComplete(p));
    return p.future();
  }

  /**
   * Starts the ramp; times are taken from {@code t0} ({@link System#nanoTime()}). Completes when
   * every listener has joined or failed, or after a stop.
   */
  Future<Void> start(long t0) {
    context.runOnContext(
        v -> {
          tally.start = t0;
          if (rate > 0) {
            long period = Math.max(1, Math.min(50, (long) (1000 / rate)));
            timer = vertx.setPeriodic(period, t -> pump());
          }
          pump();
        });
    return rampDone.future();
  }

  /** Stops opening new connections; the ramp future completes. */
  Future<Void> stop() {
    return on(
        () -> {
          stopLaunching();
          return Future.succeededFuture();
        });
  }

  private void stopLaunching() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    rampDone.tryComplete();
  }

  /** Opens what the rate and the handshakes in flight allow (on loop). */
  void pump() {
    if (stopped) {
      return;
    }
    long allowed = Long.MAX_VALUE;
    if (rate > 0) {
      allowed = (long) ((System.nanoTime() - tally.start) / 1e9 * rate) + 1;
    }
    while (launched < count && tally.inFlightCount < concurrency && launched < allowed) {
      launch(launched++);
    }
    if (launched == count) {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
      if (tally.inFlightCount == 0) {
        rampDone.tryComplete();
      }
    }
  }

  private void launch(int local) {
    int i = index(local);
    ClientWebSocket ws = clients.get(i % clients.size()).webSocket();
    ListenerConnection c = new ListenerConnection(this, tally, local, ws);
    conns[local] = c;
    ws.textMessageHandler(c);
    if (frames != null) {
      ws.binaryMessageHandler(frames.apply(i));
    }
    ws.closeHandler(v -> c.closed());
    ws.exceptionHandler(e -> tally.exceptions++);
    Target target = routes.target(i);
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(target.host())
            .setPort(target.port())
            .setURI(routes.uri(i))
            .setConnectTimeout(connectTimeoutMillis)
            .setTimeout(connectTimeoutMillis);
    tally.started(local);
    ws.connect(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                c.connectFailed(ar.cause());
              }
            });
  }

  /** Sends {@code text} to the joined listeners {@code first, first + step, ...} (on loop). */
  void writeToJoined(int first, int step, String text) {
    for (int local = first; local < launched; local += step) {
      ListenerConnection c = conns[local];
      if (c.state == ListenerConnection.JOINED) {
        c.ws.writeTextMessage(text).onFailure(e -> {});
      }
    }
  }

  /**
   * Closes every connection with 1000 and waits for the server's close, at most {@code
   * timeoutMillis}; connections still in their handshake are abandoned.
   */
  Future<Void> closeAll(long timeoutMillis) {
    return on(() -> closeAllOnLoop(timeoutMillis));
  }

  /** {@link #closeAll}, on loop. */
  Future<Void> closeAllOnLoop(long timeoutMillis) {
    stopLaunching();
    Promise<Void> done = Promise.promise();
    closeDone = done;
    for (int local = 0; local < launched; local++) {
      conns[local].close();
    }
    if (closing == 0) {
      done.tryComplete();
    } else {
      vertx.setTimer(timeoutMillis, t -> done.tryComplete());
    }
    return done.future();
  }

  /** A connection began its close (on loop). */
  void closeStarted() {
    closing++;
  }

  /** A connection that began its close is closed (on loop). */
  void closeEnded() {
    closing--;
    if (closing == 0 && closeDone != null) {
      closeDone.tryComplete();
    }
  }

  /** This driver's numbers, read on its loop. */
  Future<ListenerStats> stats() {
    return on(() -> Future.succeededFuture(statsOnLoop()));
  }

  /** {@link #stats}, on loop. */
  ListenerStats statsOnLoop() {
    int connecting = 0;
    for (int local = 0; local < launched; local++) {
      if (conns[local].state == ListenerConnection.CONNECTING) {
        connecting++;
      }
    }
    return tally.snapshot(launched, connecting);
  }
}
