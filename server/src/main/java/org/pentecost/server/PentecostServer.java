package org.pentecost.server;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;
import org.pentecost.server.auth.JwtTokenVerifier;
import org.pentecost.server.auth.TokenVerifier;
import org.pentecost.server.backend.BackendCaller;
import org.pentecost.server.backend.BackendKeys;
import org.pentecost.server.backend.RouteDispatcher;
import org.pentecost.server.backend.WebhookDispatcher;
import org.pentecost.server.backend.Webhooks;
import org.pentecost.server.config.ConfigException;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.health.EventLoopWatch;
import org.pentecost.server.health.Readiness;
import org.pentecost.server.http.HttpApi;
import org.pentecost.server.http.HttpEdge;
import org.pentecost.server.http.OpsRoutes;
import org.pentecost.server.logging.CorrelationId;
import org.pentecost.server.metrics.Metrics;
import org.pentecost.server.ratelimit.LocalRateLimiter;
import org.pentecost.server.session.AudienceTracker;
import org.pentecost.server.session.SessionService;
import org.pentecost.server.session.SessionStatus;
import org.pentecost.server.session.Summaries;
import org.pentecost.server.session.Transcripts;
import org.pentecost.server.tls.CertReloader;
import org.pentecost.server.util.Version;
import org.pentecost.server.ws.WsGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Pentecost node: wires the store, services and HTTP servers, and tears them down in reverse.
 * {@link #start} is what {@code pentecost serve} and the end-to-end tests both run.
 */
public final class PentecostServer {
  private static final Logger LOG = LoggerFactory.getLogger(PentecostServer.class);

  /** How often listener time and stream states are reported to the summaries. */
  private static final long SUMMARY_EVERY_MS = 10_000;

  private final PentecostConfig config;
  private final Vertx vertx;
  private final Metrics metrics;
  private final Backends backends;
  private final SessionService sessions;
  private final Transcripts transcripts;
  private final Summaries summaries;
  private final AudienceTracker audience;
  private final TokenVerifier tokens;
  private final WsGateway gateway;

  /** Every request to the operator's backend (routes, webhooks); null when none is configured. */
  private final BackendCaller backendCaller;

  private final String nodeId;
  private final Webhooks webhooks;
  private volatile int port = -1;
  private volatile int adminPort = -1;
  private volatile boolean started;
  private final EventLoopWatch loops;
  private final CertReloader tls; // null without TLS
  private long purgeTimer = -1;

  private PentecostServer(PentecostConfig config, Clock clock) {
    this.config = config;
    this.nodeId = NodeBasics.nodeId(config);
    CorrelationId.init();
    this.vertx =
        Vertx.builder().withTransport(NodeBasics.transport(config.server().transport())).build();
    LOG.info("network transport: {}", vertx.isNativeTransportEnabled() ? "native" : "nio");
    this.loops = new EventLoopWatch(vertx, config.server().maxEventLoopStall());
    BackendCaller made = null;
    try {
      this.tls = NodeBasics.openTls(vertx, config);
      this.metrics = new Metrics(nodeId);
      LocalRateLimiter limiter = new LocalRateLimiter(Duration.ofHours(2), 1_000_000);
      this.backends = Backends.open(vertx, config, nodeId, metrics, clock, limiter);
      made =
          config.backend().callsOut()
              ? new BackendCaller(config.backend(), metrics.registry())
              : null;
      this.backendCaller = made;
      this.webhooks = WebhookDispatcher.create(config.backend(), made, metrics.registry(), clock);
      this.sessions =
          new SessionService(
              config,
              backends.sessions(),
              backends.counts(),
              backends.sessionLimiter(),
              metrics,
              clock,
              webhooks);
      backends.onLeaseLost(sessions.recovery());
      this.transcripts = new Transcripts(sessions, backends.transcripts(), clock);
      this.summaries = new Summaries(sessions, backends.summaries(), clock);
      this.audience = new AudienceTracker(sessions.listenerCounts(), summaries, clock);
      // before the gateway's own: the end's last figures, while its streams are still here
      sessions.onStatusChange(this::lastFigures);
      this.tokens = JwtTokenVerifier.create(vertx, config.auth(), config.server().dataDir());
      this.gateway =
          new WsGateway(
              vertx,
              config,
              sessions,
              audience,
              tokens,
              limiter,
              backends.sessionLimiter(),
              metrics,
              backends.broker(),
              routeDispatcher(),
              transcripts);
    } catch (RuntimeException e) {
      if (made != null) {
        made.close();
      }
      vertx.close();
      throw e;
    }
  }

  /** The route integrations' dispatcher; null without {@code backend.routes}. */
  private RouteDispatcher routeDispatcher() {
    return backendCaller == null || config.backend().routes().isEmpty()
        ? null
        : new RouteDispatcher(vertx, backendCaller, config, nodeId, metrics.registry());
  }

  /**
   * Starts a node. Configuration problems (bad data directory, auth) throw {@link ConfigException}
   * before anything listens; a port in use fails the future.
   */
  public static Future<PentecostServer> start(PentecostConfig config) {
    return start(config, Clock.systemUTC());
  }

  public static Future<PentecostServer> start(PentecostConfig config, Clock clock) {
    PentecostServer server = new PentecostServer(config, clock);
    return server
        .backends
        .start()
        .compose(v -> server.listen())
        .map(
            v -> {
              server.schedulePurge();
              server.scheduleSummaries();
              server.gateway.start();
              server.started = true;
              LOG.info(
                  "pentecost {} node {} listening on port {} ({} store)",
                  Version.get(),
                  server.nodeId,
                  server.port,
                  server.backends.type());
              return server;
            })
        .recover(
            e -> {
              LOG.error("start failed: {}", e.toString());
              return server.stop().transform(ignored -> Future.failedFuture(e));
            });
  }

  private Future<Void> listen() {
    HttpApi api =
        new HttpApi(
            config,
            sessions,
            tokens,
            metrics,
            Version.get(),
            nodeId,
            backends.type(),
            gateway::isStopping);
    api.withManagement(gateway.connections(), new BackendKeys(config.backend().keys()));
    api.withTranscripts(transcripts);
    api.withSummaries(summaries);
    api.ops(
        new OpsRoutes(
            loops, new Readiness(() -> started, gateway::isStopping, sessions::ping), metrics));
    int instances =
        config.server().instances() > 0
            ? config.server().instances()
            : Runtime.getRuntime().availableProcessors();
    // Vert.x shares one listening socket among instances that ask for the same port; a negative
    // port asks for a random one that all instances share, which is what port 0 means here.
    int requested = config.server().port() == 0 ? -1 : config.server().port();
    HttpEdge edge = new HttpEdge(config, metrics.registry());
    return vertx
        .deployVerticle(
            () -> new HttpVerticle(api, edge, requested),
            new DeploymentOptions().setInstances(instances))
        .compose(id -> listenAdmin(api))
        .onSuccess(
            v -> {
              if (tls != null) {
                tls.watch(config.server().tls().reloadInterval());
              }
            })
        .mapEmpty();
  }

  /** {@code server.adminPort}, when set: {@code /metrics} and the probes, on one event loop. */
  private Future<Void> listenAdmin(HttpApi api) {
    PentecostConfig.Server server = config.server();
    if (!server.hasAdminPort()) {
      return Future.succeededFuture();
    }
    String host = server.adminHost().isBlank() ? server.host() : server.adminHost();
    return vertx
        .deployVerticle(
            new VerticleBase() {
              @Override
              public Future<?> start() {
                return vertx
                    .createHttpServer()
                    .requestHandler(api.adminRouter(vertx))
                    .listen(server.adminPort(), host)
                    .onSuccess(s -> adminPort = s.actualPort());
              }
            })
        .mapEmpty();
  }

  /** When a session ends: its streams' last figures for the summary, before they go. */
  private void lastFigures(org.pentecost.server.session.Session s) {
    if (s.status() == SessionStatus.ENDED && gateway != null) {
      gateway.reportPublished(summaries, s.id());
    }
  }

  /** Every few seconds: this node's listener time and streams, for the speakers' summaries. */
  private void scheduleSummaries() {
    vertx.setPeriodic(
        SUMMARY_EVERY_MS,
        t -> {
          audience.flush();
          gateway.reportPublished(summaries, null);
        });
  }

  private void schedulePurge() {
    long every = Math.max(1000, config.sessions().purgeInterval().toMillis());
    purgeTimer =
        vertx.setPeriodic(
            every,
            t ->
                sessions
                    .purgeExpired()
                    .onSuccess(
                        n -> {
                          if (n > 0) {
                            LOG.info("purged {} expired sessions", n);
                          }
                        })
                    .compose(n -> transcripts.purgeExpired())
                    .compose(n -> summaries.purgeExpired())
                    .onFailure(e -> LOG.warn("purging expired sessions failed: {}", e.toString())));
  }

  /** The admin port listened on, or -1 when {@code server.adminPort} is off. */
  public int adminPort() {
    return adminPort;
  }

  /** Whether the public port speaks TLS (https, wss). */
  public boolean isTls() {
    return tls != null;
  }

  /** The certificate served now, or null without TLS. */
  public java.security.cert.X509Certificate tlsCertificate() {
    return tls == null ? null : tls.current().certificate();
  }

  /** The SHA-256 fingerprint of the certificate served now, or null without TLS. */
  public String tlsFingerprint() {
    return tls == null ? null : tls.current().fingerprint();
  }

  /** The port actually listened on (useful with port 0). */
  public int port() {
    return port;
  }

  public String nodeId() {
    return nodeId;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The WebSocket gateway: messages to connections wherever they are, drain state. */
  public WsGateway gateway() {
    return gateway;
  }

  public SessionService sessions() {
    return sessions;
  }

  /**
   * Stops listening, makes pending writes durable, removes this node's listener counts from a
   * shared store and releases the data directory.
   */
  public Future<Void> stop() {
    if (purgeTimer >= 0) {
      vertx.cancelTimer(purgeTimer);
    }
    // The drain first (clients refresh onto other nodes while this one still serves them), then
    // the servers (no new writes), then the backend's last $disconnects (bounded), then the store
    // (its futures complete on Vert.x contexts, so Vert.x must still run), then the webhooks (a
    // count reaped at the store's close may still report a language abandoned) and the backend
    // caller, then Vert.x itself.
    return gateway
        .stop()
        .transform(ar -> Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()))
        .transform(ar -> gateway.settleBackend())
        .transform(ar -> backends.close())
        .transform(ar -> WebhookDispatcher.stop(webhooks))
        .transform(ar -> backendCaller == null ? Future.succeededFuture() : backendCaller.close())
        .transform(
            ar -> {
              loops.close();
              if (tls != null) {
                tls.close();
              }
              return vertx.close();
            })
        .onComplete(ar -> metrics.close());
  }

  /** One event loop's HTTP server. */
  private final class HttpVerticle extends VerticleBase {
    private final HttpApi api;
    private final HttpEdge edge;
    private final int listenPort;

    HttpVerticle(HttpApi api, HttpEdge edge, int listenPort) {
      this.api = api;
      this.edge = edge;
      this.listenPort = listenPort;
    }

    @Override
    public Future<?> start() {
      Router router = api.router(vertx);
      HttpServerOptions options = edge.options(listenPort);
      if (tls != null) {
        options.setSsl(true).setKeyCertOptions(tls.current().options());
      }
      return vertx
          .createHttpServer(options)
          .connectionHandler(edge::connected)
          .invalidRequestHandler(edge::invalidRequest)
          .requestHandler(
              request -> {
                if (WsGateway.isUpgrade(request)) {
                  gateway.upgrade(request);
                } else {
                  router.handle(request);
                }
              })
          .listen()
          .onSuccess(
              (HttpServer s) -> {
                if (tls != null) {
                  tls.serving(s);
                }
                if (port < 0) {
                  port = s.actualPort();
                }
              });
    }
  }
}
