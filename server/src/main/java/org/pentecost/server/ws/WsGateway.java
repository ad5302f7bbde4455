package org.pentecost.server.ws;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.protocol.Messages;
import org.pentecost.server.ApiException;
import org.pentecost.server.auth.TokenVerifier;
import org.pentecost.server.cluster.Broker;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.metrics.Metrics;
import org.pentecost.server.ratelimit.LocalRateLimiter;
import org.pentecost.server.ratelimit.RateLimiter;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.session.Session;
import org.pentecost.server.session.SessionService;
import org.pentecost.server.session.SessionStatus;
import org.pentecost.server.store.ListenerCountStore;
import org.pentecost.server.util.Cidr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket endpoint {@code /ws}: admits connections, reads their frames, routes their
 * messages, and cleans up when they close. Every rejection is an {@code error} message followed by
 * a close whose code says why (see {@link CloseCode}); nothing a client sends can leave a count
 * wrong.
 */
public final class WsGateway {
  private static final Logger LOG = LoggerFactory.getLogger(WsGateway.class);

  private final PentecostConfig.Connections config;
  private final ListenerCountStore counts;
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final Admission admission;
  private final ConnectionLimits limits;
  private final ActionRouter router;
  private final AudioRouting audio;
  private final SessionEvents events;
  private final LifecycleTimers timers;
  private final List<Cidr> trustedProxies;
  private final Vertx vertx;
  private final SessionService sessions;
  private final Broker broker;
  private final RemoteStreams remote;
  private final long graceMillis;

  /** Set when the node shuts down: closes then are the node's doing, not the speakers'. */
  private volatile boolean stopping;

  private final Map<Role, AtomicInteger> open =
      Map.of(
          Role.SPEAKER,
          new AtomicInteger(),
          Role.LISTENER,
          new AtomicInteger(),
          Role.WORKER,
          new AtomicInteger());

  public WsGateway(
      Vertx vertx,
      PentecostConfig config,
      SessionService sessions,
      ListenerCountStore counts,
      TokenVerifier tokens,
      LocalRateLimiter limiter,
      RateLimiter shared,
      Metrics metrics,
      Broker broker) {
    this.vertx = vertx;
    this.broker = broker;
    this.remote = new RemoteStreams(broker);
    this.graceMillis = config.sessions().speakerGracePeriod().toMillis();
    this.sessions = sessions;
    this.config = config.connections();
    this.counts = counts;
    this.trustedProxies = Cidr.parseAll(config.server().trustedProxies());
    JoinLimiter joins = new JoinLimiter(config.limits(), shared, limiter, metrics);
    this.limits = new ConnectionLimits(config, metrics.registry());
    this.admission =
        new Admission(
            sessions,
            counts,
            tokens,
            joins,
            registry,
            limits,
            config.sessions().maxListeners(),
            config.auth().workerSubjects());
    this.audio =
        new AudioRouting(
            new Fanout(
                config.audio().maxListenerLag().toNanos() / 1000,
                limits.audioQueueBytes(),
                config.audio().slowListenerTimeout().toMillis(),
                metrics.registry()),
            config.audio().replayWindow().toNanos() / 1000,
            broker,
            remote);
    this.events =
        new SessionEvents(vertx, registry, sessions, config.sessions().speakerGracePeriod());
    remote.attach(
        this, vertx, registry, audio, events, sessions, config.connections().refreshOverlap());
    this.router = new ActionRouter(sessions, counts, joins, registry, audio, remote);
    this.timers =
        new LifecycleTimers(vertx, registry, sessions, config.connections(), !broker.isLocal());
    sessions.onStatusChange(
        s -> {
          events.statusChanged(s);
          remote.statusChangedHere(s);
        });
    broker.onEvent(remote::event);
    registry.onRoomCreated(remote::roomOpenedHere);
    broker.onFrame(
        f -> {
          SessionRoom room = registry.room(f.sessionId());
          if (room != null) {
            audio.received(room, f);
          }
        });
    open.forEach(
        (role, n) ->
            Gauge.builder("pentecost.connections", n, AtomicInteger::get)
                .description("Open WebSocket connections by role")
                .tag("role", role.wire())
                .register(metrics.registry()));
  }

  public void start() {
    timers.start();
  }

  /**
   * Sends a server message to one connection, on whichever node it is: here directly, otherwise
   * through the broker to every other node, where the one that holds the connection delivers it
   * (the management API relies on this). Returns whether the connection was found on this node.
   */
  public boolean sendToConnection(String connectionId, JsonObject message) {
    Connection c = registry.get(connectionId);
    if (c != null) {
      c.send(message);
      return true;
    }
    remote.sendElsewhere(connectionId, message);
    return false;
  }

  /** Whether the node is draining or stopped: new WebSocket upgrades are refused. */
  public boolean isStopping() {
    return stopping;
  }

  /**
   * Drains the node: refuses new upgrades (503, so that a load balancer tries another node), asks
   * every client to refresh now ({@code connectionRefreshRequired}: the clients reconnect through
   * the load balancer with their {@code lastSeq} and resume elsewhere with no gap), waits until
   * they have gone or {@code connections.drainTimeout} has passed, then closes the rest with 1001
   * (going away). A speaker's close here does not start its grace period or end the session.
   */
  public Future<Void> stop() {
    stopping = true;
    timers.stop();
    long timeoutMs = config.drainTimeout().toMillis();
    for (Connection c : registry.connections()) {
      c.send(LifecycleTimers.refreshRequired(c, timeoutMs));
    }
    Promise<Void> drained = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    if (registry.connections().isEmpty() || timeoutMs <= 0) {
      drained.complete();
    } else {
      vertx.setPeriodic(
          50,
          id -> {
            if (registry.connections().isEmpty() || System.currentTimeMillis() >= deadline) {
              vertx.cancelTimer(id);
              drained.tryComplete();
            }
          });
    }
    return drained
        .future()
        .compose(
            v -> {
              int left = registry.connections().size();
              if (left > 0) {
                LOG.info("drain: closing {} connections that did not refresh", left);
              }
              List<Future<Void>> closing = new java.util.ArrayList<>();
              for (Connection c : registry.connections()) {
                closing.add(
                    c.socket.close((short) CloseCode.GOING_AWAY.code(), "server shutting down"));
              }
              // Wait for the close frames to go out, but not for slow clients to answer them.
              return Future.join(closing)
                  .timeout(2, java.util.concurrent.TimeUnit.SECONDS)
                  .otherwiseEmpty()
                  .mapEmpty();
            });
  }

  /** Whether {@code request} asks to become a WebSocket ({@code Upgrade: websocket}). */
  public static boolean isUpgrade(HttpServerRequest request) {
    return Handshake.isUpgrade(request);
  }

  /**
   * An HTTP request asking for a WebSocket ({@link #isUpgrade}): upgrades {@code /ws} when the
   * handshake is well formed, and answers anything else with a JSON error (404 on other paths, 503
   * while draining, so that a load balancer tries another node).
   */
  public void upgrade(HttpServerRequest request) {
    if (!Handshake.check(request, stopping)) {
      return;
    }
    request
        .toWebSocket()
        .onSuccess(this::connect)
        .onFailure(e -> LOG.debug("websocket upgrade failed: {}", e.toString()));
  }

  /** A new socket on {@code /ws}: nothing it sends is read until it is admitted. */
  private void connect(ServerWebSocket ws) {
    WsFrameGuard.install(ws, limits);
    // Past the channel's write buffer Vert.x holds writes in a queue of its own, where
    // Connection.queuedBytes() does not see them: the buffer takes the whole queue bound instead.
    if (!ws.isClosed()) {
      ws.setWriteQueueMaxSize(limits.maxQueuedBytes());
    }
    if (stopping) {
      ws.close((short) CloseCode.GOING_AWAY.code(), "server shutting down");
      return;
    }
    ws.pause();
    Context context = vertx.getOrCreateContext();
    long now = System.currentTimeMillis();
    InetAddress ip =
        ClientIp.of(ws.remoteAddress(), ws.headers().get("X-Forwarded-For"), trustedProxies);
    AtomicReference<Connection> admitted = new AtomicReference<>();
    ws.closeHandler(
        v -> {
          Connection c = admitted.get();
          if (c != null) {
            leave(c);
          }
        });
    ws.exceptionHandler(e -> LOG.debug("websocket error: {}", e.toString()));
    admission
        .admit(ws, context, ip, now)
        .onSuccess(
            a -> {
              admitted.set(a.connection());
              if (ws.isClosed()) {
                // The client gave up while it was being admitted: undo what admission did.
                leave(a.connection());
                return;
              }
              // The socket is read only once sessionJoined is out, so that it is always first.
              join(a)
                  .onComplete(
                      v -> {
                        ws.frameHandler(
                            new FrameReader(a.connection(), config, router, this::publish));
                        ws.resume();
                        closeIfEndedMeanwhile(a.connection());
                      });
            })
        .onFailure(e -> reject(ws, e));
  }

  private void reject(ServerWebSocket ws, Throwable e) {
    ApiException error =
        e instanceof ApiException api
            ? api
            : new ApiException(ErrorCode.INTERNAL_ERROR, "could not join; try again");
    if (!(e instanceof ApiException)) {
      LOG.warn("websocket admission failed: {}", e.toString());
    }
    LOG.debug("websocket refused: {} ({})", error.code(), error.getMessage());
    Long retry = error.retryAfter() == null ? null : error.retryAfter().toMillis();
    if (!ws.isClosed()) {
      ws.writeTextMessage(WsMessages.error(error.code(), error.getMessage(), retry).encode());
      CloseCode close = CloseCode.forError(error.code());
      ws.close((short) close.code(), error.code().name());
    }
  }

  private Future<Void> join(Admission.Admitted a) {
    Connection c = a.connection();
    if (c.role != Role.LISTENER || a.lastSeq() < 0 || broker.isLocal()) {
      return join(a, false);
    }
    // Resuming on a node that may not have heard the stream: subscribe first, then read the
    // shared window, so that every frame is either in what was read or arrives live. The hold
    // keeps the room, and its stream's window, until the listener is in it.
    SessionRoom held =
        registry.inRoom(
            c.sessionId,
            r -> {
              r.holds++;
              return r;
            });
    String language = audio.languageFor(held, c, a.session().sourceLanguage());
    Future<Void> read =
        broker
            .subscribe(c.sessionId, language)
            .compose(v -> broker.window(c.sessionId, language))
            .map(
                frames -> {
                  audio.catchUpFromWindow(held, language, frames);
                  return (Void) null;
                })
            .recover(
                e -> {
                  LOG.warn("{}: reading the shared window failed: {}", c, e.toString());
                  return Future.succeededFuture();
                });
    return RedisCommands.onContext(read, c.context)
        .compose(
            v -> {
              try {
                if (c.socket.isClosed()) {
                  registry.inRoom(
                      c.sessionId,
                      r -> {
                        r.holds--;
                        return null;
                      });
                  return Future.succeededFuture();
                }
                return join(a, true);
              } finally {
                broker.unsubscribe(c.sessionId, language);
              }
            });
  }

  private Future<Void> join(Admission.Admitted a, boolean held) {
    Connection c = a.connection();
    LOG.debug("{} joined from {}", c, c.clientIp.getHostAddress());
    Session session = a.session();
    Connection previous = a.previous();
    registry.register(c);
    open.get(c.role).incrementAndGet();
    // Membership changes in the same atomic step that creates the room, so the room is never
    // dropped as empty in between.
    Object[] replacedOrChange = new Object[1];
    SessionRoom room =
        registry.inRoom(
            c.sessionId,
            r -> {
              r.sourceLanguage = session.sourceLanguage();
              r.paused = session.status() == SessionStatus.PAUSED;
              if (held) {
                r.holds--;
              }
              switch (c.role) {
                case LISTENER -> {
                  r.addListener(c);
                  r.statsDirty = true;
                }
                case WORKER -> replacedOrChange[0] = r.setWorker(c);
                case SPEAKER -> replacedOrChange[0] = r.setSpeaker(c);
              }
              return r;
            });
    if (c.role == Role.LISTENER) {
      boolean live = audio.isLive(room, c.language);
      // Subscribed before it is told it joined, so that it misses nothing published meanwhile;
      // its replay follows sessionJoined in this same turn of its event loop, ahead of any live
      // frame (those reach it as tasks queued behind this one).
      AudioRouting.CatchUp catchUp =
          audio.listenerJoined(room, c, session.sourceLanguage(), a.lastSeq());
      JsonObject joined = joined(c, session, speakerConnected(room), null);
      joined.put("streamAvailable", live).put("audioLanguage", c.audioLanguage);
      AudioFormat format = audio.formatHeard(room, c);
      if (format != null) {
        joined.put("audio", format.toJson());
      }
      String elsewhere = broker.isLocal() ? null : a.previousElsewhere();
      c.announce(joined, refreshComplete(c, previous != null ? previous.id : elsewhere));
      refreshed(previous);
      refreshedElsewhere(c, elsewhere);
      audio.catchUp(c, catchUp);
      return Future.succeededFuture();
    }
    Future<Void> numbered = Future.succeededFuture();
    if (!broker.isLocal()) {
      // Numbering goes on from the newest frame of the shared window (a speaker that refreshed
      // from another node): listeners see no jump. The window's frames this node has not had yet
      // (still on their way from the old node) are taken from it first, in order, and fanned out
      // here: a frame that arrives later by pub/sub is then a duplicate, never a gap. Nothing is
      // read from the socket before this.
      numbered =
          RedisCommands.onContext(
              broker
                  .window(c.sessionId, c.language)
                  .map(
                      frames -> {
                        audio.catchUpFromWindow(room, c.language, frames);
                        return (Void) null;
                      })
                  .recover(
                      e -> {
                        LOG.warn("{}: reading the shared window failed: {}", c, e.toString());
                        return Future.succeededFuture();
                      }),
              c.context);
    }
    return numbered.compose(v -> publisherJoined(c, room, session, previous, replacedOrChange[0]));
  }

  private Future<Void> publisherJoined(
      Connection c, SessionRoom room, Session session, Connection previous, Object change0) {
    Object[] replacedOrChange = {change0};
    if (c.role == Role.WORKER) {
      Connection replaced = (Connection) replacedOrChange[0];
      if (replaced != null && replaced != previous) {
        replaced.close(CloseCode.REPLACED, "replaced by a newer worker connection");
      }
      audio.workerJoined(room, c, session.sourceLanguage());
    } else {
      SessionRoom.SpeakerChange change = (SessionRoom.SpeakerChange) replacedOrChange[0];
      if (change.cancelledTimer() >= 0) {
        vertx.cancelTimer(change.cancelledTimer());
      }
      Connection replaced = change.previous();
      if (replaced != null && replaced != previous) {
        // A second speaker connection of the owner takes over from the first.
        replaced.close(CloseCode.REPLACED, "replaced by a newer speaker connection");
      }
      boolean awayElsewhere = remote.speakerJoinedHere(c.sessionId);
      if (change.wasAway() || awayElsewhere) {
        events.speakerReturned(c.sessionId);
      }
      audio.publisherJoined(room, c);
    }
    return counts
        .counts(c.sessionId)
        .transform(
            ar -> {
              JsonObject joined =
                  joined(
                      c, session, speakerConnected(room), ar.succeeded() ? ar.result() : Map.of());
              c.announce(
                  joined.put("audio", c.format.toJson()),
                  refreshComplete(c, previous == null ? null : previous.id));
              refreshed(previous);
              return Future.<Void>succeededFuture();
            });
  }

  private boolean speakerConnected(SessionRoom room) {
    return room.isSpeakerConnected() || remote.speakerConnected(room.sessionId);
  }

  private io.vertx.core.json.JsonObject joined(
      Connection c,
      Session session,
      boolean speakerConnected,
      Map<String, Integer> listenerCounts) {
    var m =
        WsMessages.of(Messages.SESSION_JOINED)
            .put("connectionId", c.id)
            .put("sessionId", session.id())
            .put("role", c.role.wire())
            .put("sourceLanguage", session.sourceLanguage())
            .put("status", session.status().wireName())
            .put("speakerConnected", speakerConnected)
            .put("heartbeatIntervalMs", config.heartbeatInterval().toMillis())
            .put("refreshAfterMs", config.refreshAt().toMillis());
    if (c.language != null) {
      m.put("targetLanguage", c.language);
    }
    if (listenerCounts != null) {
      WsMessages.counts(m, listenerCounts);
    }
    return m;
  }

  /**
   * A session can end between admission's look-up and the join; its end then did not reach this
   * connection, so look once more now that the connection is in the room.
   */
  private void closeIfEndedMeanwhile(Connection c) {
    sessions
        .find(c.sessionId)
        .onSuccess(
            s -> {
              if (s.status() == SessionStatus.ENDED) {
                c.send(WsMessages.of(Messages.SESSION_ENDED).put("sessionId", c.sessionId));
                c.close(CloseCode.SESSION_ENDED, "session ended");
              }
            });
  }

  /** Confirms a refresh, and closes the old connection if its client does not. */
  /** The old connection of a refresh here is closed after the overlap. */
  private void refreshed(Connection previous) {
    if (previous == null) {
      return;
    }
    vertx.setTimer(
        config.refreshOverlap().toMillis(),
        t -> previous.context.runOnContext(v -> previous.close(CloseCode.REPLACED, "refreshed")));
  }

  /** {@code connectionRefreshComplete} for a refresh of {@code previousId}; null when none. */
  private static JsonObject refreshComplete(Connection c, String previousId) {
    return previousId == null
        ? null
        : WsMessages.of(Messages.CONNECTION_REFRESH_COMPLETE)
            .put("connectionId", c.id)
            .put("previousConnectionId", previousId);
  }

  /**
   * A listener's refresh of a connection that is not on this node (it was told {@code
   * connectionRefreshComplete} with its sessionJoined): the node that holds it gives up its place
   * in the counts at once and closes it after the overlap (if it still exists). The new place was
   * taken here, so for that moment the session counts one listener more.
   */
  private void refreshedElsewhere(Connection c, String previousId) {
    if (previousId == null) {
      return;
    }
    remote.retireElsewhere(previousId, c.sessionId, config.refreshOverlap().toMillis());
  }

  /**
   * Another node took over {@code previousId}'s place (a refresh there): leave the counts now,
   * close after the overlap. Only a listener of that session is retired this way.
   */
  void retiredByRefreshElsewhere(String previousId, String sessionId, long overlapMs) {
    Connection old = registry.get(previousId);
    if (old == null || old.role != Role.LISTENER || !old.sessionId.equals(sessionId)) {
      return;
    }
    if (old.counted.compareAndSet(true, false)) {
      counts.remove(old.sessionId, old.language);
    }
    vertx.setTimer(
        Math.max(1, overlapMs),
        t -> old.context.runOnContext(v -> old.close(CloseCode.REPLACED, "refreshed")));
  }

  /** A binary frame from a speaker or worker. */
  private void publish(Connection c, Buffer payload) {
    SessionRoom room = registry.room(c.sessionId);
    if (room != null) {
      audio.publish(room, c, payload);
    }
  }

  /** Clean-up after a close; safe to run twice, in any order with refreshes. */
  private void leave(Connection c) {
    LOG.debug("{} left", c);
    if (registry.unregister(c)) {
      open.get(c.role).decrementAndGet();
    }
    if (c.role == Role.LISTENER) {
      if (c.counted.compareAndSet(true, false)) {
        counts.remove(c.sessionId, c.language);
      }
      SessionRoom room =
          registry.inRoom(
              c.sessionId,
              r -> {
                r.removeListener(c);
                r.statsDirty = true;
                return r;
              });
      audio.left(room, c);
      return;
    }
    SessionRoom room = registry.room(c.sessionId);
    if (room != null) {
      audio.left(room, c);
      audio.publisherLeft(room, c, room.sourceLanguage);
    }
    if (c.role == Role.WORKER) {
      registry.inRoom(c.sessionId, r -> r.workerLeft(c));
      return;
    }
    Boolean dropped = registry.inRoom(c.sessionId, r -> r.speakerLeft(c));
    if (Boolean.TRUE.equals(dropped) && !stopping && (room == null || !room.ended)) {
      events.speakerDropped(c.sessionId);
      remote.speakerDroppedHere(c.sessionId, graceMillis);
    } else if (Boolean.TRUE.equals(dropped)) {
      remote.speakerLeftHere(c.sessionId);
    }
  }
}
