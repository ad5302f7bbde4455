package org.pentecost.server.http;

import static org.pentecost.server.logging.LogField.kv;

import io.github.bucket4j.Bucket;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.time.Duration;
import java.util.Set;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.auth.TokenVerifier;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.logging.CorrelationId;
import org.pentecost.server.metrics.Metrics;
import org.pentecost.server.ratelimit.LocalRateLimiter;
import org.pentecost.server.ratelimit.RateLimit;
import org.pentecost.server.session.SessionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface: one router per event-loop instance, all sharing the services. Every request
 * first passes {@link #observe}: correlation id, access log, latency metric, server throttle.
 */
public final class HttpApi {
  private static final Logger ACCESS = LoggerFactory.getLogger("pentecost.access");
  private static final String ROUTE_KEY = "pentecost.route";

  private final PentecostConfig config;
  private final SessionService sessions;
  private final TokenVerifier tokens;
  private final Metrics metrics;
  private final String version;
  private final String nodeId;
  private final String storeType;
  private final Bucket throttle;
  private final java.util.function.BooleanSupplier draining;
  private OpsRoutes ops;
  private final ApiDocs docs;

  /** The summaries; null until {@link #withSummaries}. */
  private SummaryRoutes summaries;

  /** The transcripts; null until {@link #withTranscripts}. */
  private TranscriptRoutes transcripts;

  /** The management API; null until {@link #withManagement}. */
  private ManagementRoutes management;

  public HttpApi(
      PentecostConfig config,
      SessionService sessions,
      TokenVerifier tokens,
      Metrics metrics,
      String version,
      String nodeId,
      String storeType,
      java.util.function.BooleanSupplier draining) {
    this.config = config;
    this.draining = draining;
    this.sessions = sessions;
    this.tokens = tokens;
    this.metrics = metrics;
    this.version = version;
    this.nodeId = nodeId;
    this.storeType = storeType;
    this.docs = new ApiDocs(version);
    this.throttle =
        LocalRateLimiter.newBucket(
            new RateLimit(
                "http",
                config.limits().httpBurst(),
                config.limits().httpRequestsPerSecond(),
                Duration.ofSeconds(1)));
  }

  /**
   * Serves the management API ({@code /@connections}, broadcast, a session's connections) through
   * {@code connections}, authorized by {@code keys}. Call before the first {@link #router}.
   */
  public HttpApi withManagement(
      org.pentecost.server.backend.ConnectionManager connections,
      org.pentecost.server.backend.BackendKeys keys) {
    this.management = new ManagementRoutes(connections, keys, sessions, tokens);
    return this;
  }

  /** Serves {@code /sessions/{id}/transcript(s)}. Call before the first {@link #router}. */
  public HttpApi withTranscripts(org.pentecost.server.session.Transcripts list) {
    this.transcripts = new TranscriptRoutes(list, tokens);
    return this;
  }

  /** Serves {@code /sessions/{id}/summary}. Call before the first {@link #router}. */
  public HttpApi withSummaries(org.pentecost.server.session.Summaries list) {
    this.summaries = new SummaryRoutes(list, tokens);
    return this;
  }

  /** A router for one event loop; call once per HTTP server instance. */
  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(this::observe);
    if (!config.server().corsOrigins().isEmpty()) {
      router.route().handler(cors());
    }
    SessionRoutes sessionRoutes = new SessionRoutes(sessions, tokens);
    sessionRoutes.mountRead(router); // the hot GET: no body to read, matched first
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.server().maxBodyBytes()));
    if (management != null) {
      management.mount(router); // its /sessions/:id/... paths never match /sessions/:id
    }
    if (transcripts != null) {
      transcripts.mount(router);
    }
    if (summaries != null) {
      summaries.mount(router);
    }
    sessionRoutes.mount(router);
    new ShareRoutes(config.server().publicUrl(), config.server().host()).mount(router);
    SystemRoutes system =
        new SystemRoutes(sessions, version, nodeId, storeType, draining, config.profile());
    system.mount(router);
    docs.mount(router);
    if (ops != null && config.server().adminPort() == 0) {
      ops.mount(router);
    }
    new ConsoleRoutes().mount(router);
    router.route().failureHandler(ErrorReplies::handleFailure);
    router.errorHandler(404, ctx -> ErrorReplies.send(ctx, ErrorReplies.fromStatus(404)));
    router.errorHandler(405, ctx -> ErrorReplies.send(ctx, ErrorReplies.fromStatus(405)));
    router.errorHandler(500, ErrorReplies::handleFailure);
    return router;
  }

  /**
   * The probes and {@code /metrics}: on the public router while {@code server.adminPort} is 0, else
   * only on {@link #adminRouter}. Set before the first router is made.
   */
  public HttpApi ops(OpsRoutes ops) {
    this.ops = ops;
    return this;
  }

  /**
   * The router of {@code server.adminPort}: {@code /metrics}, {@code /health/live}, {@code
   * /health/ready} and {@code /health}; no throttle, no CORS, no access log (scrapes and probes
   * every few seconds would drown it).
   */
  public Router adminRouter(Vertx vertx) {
    Router router = Router.router(vertx);
    new SystemRoutes(sessions, version, nodeId, storeType, draining, config.profile())
        .health(router);
    ops.mount(router);
    router.route().failureHandler(ErrorReplies::handleFailure);
    router.errorHandler(404, ctx -> ErrorReplies.send(ctx, ErrorReplies.fromStatus(404)));
    router.errorHandler(405, ctx -> ErrorReplies.send(ctx, ErrorReplies.fromStatus(405)));
    return router;
  }

  private void observe(RoutingContext ctx) {
    long start = System.nanoTime();
    String id = CorrelationId.acceptOrCreate(ctx.request().getHeader(CorrelationId.HEADER));
    CorrelationId.bind(id);
    ctx.response().putHeader(CorrelationId.HEADER, id);
    ctx.addBodyEndHandler(
        v -> {
          long nanos = System.nanoTime() - start;
          int status = ctx.response().getStatusCode();
          String route = routeOf(ctx);
          metrics.httpRequest(ctx.request().method().name(), route, status, nanos);
          if (ACCESS.isInfoEnabled()) {
            var remote = ctx.request().remoteAddress();
            ACCESS.info(
                "{} {} {} {}ms",
                kv("method", ctx.request().method().name()),
                kv("path", ctx.request().path()),
                kv("status", status),
                kv("durationMs", nanos / 1_000_000),
                kv("route", route),
                kv("bytes", ctx.response().bytesWritten()),
                kv("remote", remote == null ? "-" : remote.hostAddress()));
          }
        });
    // A management call with a valid backend key is the operator's own traffic: not throttled.
    if (management != null && management.exempt(ctx)) {
      ctx.next();
      return;
    }
    if (!throttle.tryConsume(1)) {
      metrics.rateLimited("http");
      ErrorReplies.send(
          ctx,
          new ApiException(
              ErrorCode.THROTTLED, "the server is busy; try again shortly", Duration.ofSeconds(1)));
      return;
    }
    ctx.next();
  }

  /** The route template the request matched, recorded by {@link #tagRoute}; ids never appear. */
  private static String routeOf(RoutingContext ctx) {
    String route = ctx.get(ROUTE_KEY);
    return route == null ? "unmatched" : route;
  }

  /** First handler of every API route: remembers its template for metrics, even on failure. */
  static void tagRoute(RoutingContext ctx) {
    remember(ctx);
    ctx.next();
  }

  /** What {@link #tagRoute} does, for a route's single handler. */
  static void remember(RoutingContext ctx) {
    ctx.put(ROUTE_KEY, ctx.currentRoute().getPath());
  }

  private CorsHandler cors() {
    CorsHandler cors = CorsHandler.create();
    for (String origin : config.server().corsOrigins()) {
      cors.addOrigin(origin);
    }
    return cors.allowedMethods(
            Set.of(
                HttpMethod.GET,
                HttpMethod.POST,
                HttpMethod.PATCH,
                HttpMethod.DELETE,
                HttpMethod.OPTIONS))
        .allowedHeaders(Set.of("Authorization", "Content-Type", CorrelationId.HEADER))
        .exposedHeaders(Set.of(CorrelationId.HEADER, "Retry-After", "Location"))
        .maxAgeSeconds(600);
  }
}
