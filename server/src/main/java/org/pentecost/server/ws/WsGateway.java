package org.pentecost.server.ws;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.auth.TokenVerifier;
import org.pentecost.server.backend.RouteDispatcher;
import org.pentecost.server.broadcast.AudioStream;
import org.pentecost.server.broadcast.Fanout;
import org.pentecost.server.cluster.Broker;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.metrics.Metrics;
import org.pentecost.server.ratelimit.LocalRateLimiter;
import org.pentecost.server.ratelimit.RateLimiter;
import org.pentecost.server.session.ListenerCountStore;
import org.pentecost.server.session.SessionService;
import org.pentecost.server.session.Summaries;
import org.pentecost.server.session.Transcripts;
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
  private final OutboundEvents outbound;
  private final Membership membership;
  private final ConnectionManagement management;
  private final RouteIntegration routes;
  private final ConnectionLog log;

  /** Set when the node shuts down: closes then are the node's doing, not the speakers'. */
  private volatile boolean stopping;

  public WsGateway(
      Vertx vertx,
      PentecostConfig config,
      SessionService sessions,
      ListenerCountStore counts,
      TokenVerifier tokens,
      LocalRateLimiter limiter,
      RateLimiter shared,
      Metrics metrics,
      Broker broker,
      RouteDispatcher backendRoutes,
      Transcripts transcripts) {
    this.vertx = vertx;
    this.routes =
        new RouteIntegration(backendRoutes, () -> stopping, config.backend().breakerOpenFor());

    this.sessions = sessions;
    this.config = config.connections();
    this.counts = counts;
    this.trustedProxies = Cidr.parseAll(config.server().trustedProxies());
    JoinLimiter joins = new JoinLimiter(config.limits(), shared, limiter, metrics);
    this.limits = new ConnectionLimits(config, metrics.registry());
    RemoteStreams remote = new RemoteStreams();
    this.outbound =
        new OutboundEvents(broker, remote, registry, new WebhookEvents(sessions.webhooks()));
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
            remote,
            outbound);
    this.events =
        new SessionEvents(vertx, registry, sessions, config.sessions().speakerGracePeriod());
    this.membership =
        new Membership(
            vertx,
            config,
            counts,
            registry,
            audio,
            events,
            sessions,
            broker,
            remote,
            outbound,
            () -> stopping,
            metrics.registry());
    InboundEvents inbound =
        new InboundEvents(
            remote,
            outbound,
            registry,
            audio,
            events,
            sessions,
            membership,
            vertx,
            config.connections().refreshOverlap());
    this.log = new ConnectionLog(metrics.registry(), registry);
    this.router =
        new ActionRouter(sessions, counts, joins, registry, audio, outbound, routes, transcripts);
    sessions.recovery().attach(new LiveRooms(registry, events));
    this.timers =
        new LifecycleTimers(
            vertx, registry, sessions, config.connections(), config.store().isRedis());
    sessions.onStatusChange(
        s -> {
          events.statusChanged(s);
          outbound.statusChangedHere(s);
        });
    LocalConnections local = new LocalConnections(registry, broker.nodeId());
    NodeCalls calls =
        new NodeCalls(vertx, broker, local, config.backend().clusterTimeout().toMillis());
    this.management = new ConnectionManagement(vertx, local, calls);
    broker.onEvent(
        (node, event) -> {
          if (!calls.event(node, event)) {
            inbound.event(node, event);
          }
        });
    registry.onRoomCreated(outbound::roomOpenedHere);
    broker.onFrame(
        f -> {
          SessionRoom room = registry.room(f.sessionId());
          if (room != null) {
            audio.received(room, f);
          }
        });
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
    outbound.sendElsewhere(connectionId, message);
    return false;
  }

  /**
   * The management API's way to this node's connections and, through the broker, to every other
   * node's.
   */
  public org.pentecost.server.backend.ConnectionManager connections() {
    return management;
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
    return Drain.run(vertx, registry, config.drainTimeout().toMillis());
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
    HttpConnection upgradedFrom = request.connection();
    request
        .toWebSocket()
        .onSuccess(
            ws -> {
              WriteQueues.shrink(ws, upgradedFrom);
              connect(ws);
            })
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
                membership.leave(a.connection());
                return;
              }
              routes
                  .connect(a.connection())
                  .onSuccess(v -> join(ws, a))
                  .onFailure(
                      e -> {
                        // The backend's $connect refused it, or could not answer: undo admission.
                        membership.leave(a.connection());
                        reject(ws, e, ip, now);
                      });
            })
        .onFailure(e -> reject(ws, e, ip, now));
  }

  private void join(ServerWebSocket ws, Admission.Admitted a) {
    if (ws.isClosed()) {
      // The client gave up during $connect (its $disconnect is owed if $connect passed).
      leave(a.connection());
      return;
    }
    // The socket is read only once sessionJoined is out, so that it is always first.
    membership
        .join(a)
        .onComplete(
            v -> {
              ws.frameHandler(new FrameReader(a.connection(), config, router, this::publish));
              ws.resume();
              membership.closeIfEndedMeanwhile(a.connection());
            });
  }

  /**
   * The one way a connection leaves once admitted: its $disconnect is queued (the socket is closed
   * already; queued before the clean-up so that a stopping node, which waits for every connection
   * to have left, finds it), then the clean-up.
   */
  private void leave(Connection c) {
    routes.left(c);
    membership.leave(c);
    ConnectionLog.ended(c);
  }

  /**
   * After the drain and the servers' close: gives the last connections' {@code $disconnect}s a
   * bounded time to reach the backend (nothing to wait for without routes).
   */
  public Future<Void> settleBackend() {
    return routes.settle(() -> registry.size() == 0);
  }

  private void reject(ServerWebSocket ws, Throwable e, InetAddress ip, long since) {
    ApiException error =
        e instanceof ApiException api
            ? api
            : new ApiException(ErrorCode.INTERNAL_ERROR, "could not join; try again");
    if (!(e instanceof ApiException)) {
      LOG.warn("websocket admission failed: {}", e.toString());
    }
    LOG.debug("websocket refused: {} ({})", error.code(), error.getMessage());
    Long retry = error.retryAfter() == null ? null : error.retryAfter().toMillis();
    CloseCode close = CloseCode.forError(error.code());
    log.rejected(ws, ip, error.code(), close, since);
    if (!ws.isClosed()) {
      ws.writeTextMessage(WsMessages.error(error.code(), error.getMessage(), retry).encode());
      ws.close((short) close.code(), error.code().name());
    }
  }

  /** A binary frame from a speaker or worker. */
  private void publish(Connection c, Buffer payload) {
    SessionRoom room = registry.room(c.sessionId);
    if (room != null) {
      audio.publish(room, c, payload);
    }
  }

  /**
   * Reports the streams published on this node (of one session, or of all when {@code sessionId} is
   * null) to the summaries: their frames so far, format and publisher.
   */
  public void reportPublished(Summaries summaries, String sessionId) {
    for (SessionRoom room : registry.rooms()) {
      if (sessionId != null && !sessionId.equals(room.sessionId)) {
        continue;
      }
      room.publishedHere()
          .forEach(
              (language, format) -> {
                AudioStream stream = room.existingStream(language);
                Object publisher = stream == null ? null : stream.publisherConnection();
                if (stream == null || stream.lastSeq() == 0) {
                  return;
                }
                String by =
                    publisher instanceof Connection c && c.role == Role.WORKER
                        ? "worker"
                        : "speaker";
                summaries.published(
                    room.sessionId,
                    language,
                    by,
                    format.codec(),
                    format.sampleRate(),
                    format.frameMs(),
                    stream.lastSeq());
              });
    }
  }
}
