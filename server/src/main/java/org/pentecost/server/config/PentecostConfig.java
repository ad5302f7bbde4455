package org.pentecost.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole server configuration, grouped by concern. Built by {@link ConfigLoader} from {@code
 * pentecost-defaults.yaml}, the profile, a file, the environment and flags.
 */
public record PentecostConfig(
    String profile,
    Server server,
    Store store,
    Auth auth,
    Sessions sessions,
    Connections connections,
    Audio audio,
    Limits limits,
    Backend backend) {

  public boolean isProd() {
    return "prod".equals(profile);
  }

  public boolean isDev() {
    return "dev".equals(profile);
  }

  /** Listening, data directory and HTTP surface. */
  public record Server(
      String host,
      int port,
      Path dataDir,
      String nodeId,
      int instances,
      String transport,
      List<String> corsOrigins,
      int maxBodyBytes,
      List<String> trustedProxies,
      Duration requestTimeout,
      Duration keepAliveTimeout,
      int pendingConnectionsPerIp,
      int adminPort,
      String adminHost,
      Duration maxEventLoopStall,
      Tls tls,
      String publicUrl) {

    /** Whether {@code /metrics} and the probes have a port of their own. */
    public boolean hasAdminPort() {
      return adminPort > 0;
    }
  }

  /**
   * TLS on the public port: a certificate and key in PEM files (reloaded when they change), or a
   * self-signed certificate made once in the data directory; neither: plain HTTP.
   */
  public record Tls(String certFile, String keyFile, boolean selfSigned, Duration reloadInterval) {
    public boolean enabled() {
      return selfSigned || !certFile.isBlank();
    }
  }

  /**
   * Which store backs sessions, listener counts and (with Redis) the session-creation limit. {@code
   * nodeLease} is how long a node that died without a goodbye keeps its listeners counted (Redis
   * only). {@code recover}: start on a damaged embedded store file by keeping it aside and carrying
   * over what it still holds (embedded only).
   */
  public record Store(
      String type, Duration timeout, Duration nodeLease, boolean recover, Redis redis) {
    public boolean isRedis() {
      return "redis".equals(type);
    }
  }

  /**
   * The Redis that nodes share: one server ({@code standalone}) or a Redis Cluster ({@code
   * cluster}, seeded by {@code url} and {@code endpoints}). Every key starts with {@code
   * keyPrefix}.
   */
  public record Redis(
      String url,
      String mode,
      List<String> endpoints,
      String keyPrefix,
      int poolSize,
      int poolWaiting) {
    public boolean isCluster() {
      return "cluster".equals(mode);
    }
  }

  /** How speaker and worker tokens are verified. */
  public record Auth(
      String mode,
      String hmacSecret,
      String jwksUrl,
      String issuer,
      List<String> audiences,
      Duration clockSkew,
      Duration devTokenTtl,
      Duration jwksCacheTtl,
      List<String> workerSubjects) {

    public boolean isJwks() {
      return "jwks".equals(mode);
    }
  }

  /** Session lifetime, vocabulary and languages. */
  public record Sessions(
      Duration ttl,
      Duration purgeInterval,
      String wordList,
      List<String> languages,
      int maxListeners,
      Duration speakerGracePeriod) {}

  /** WebSocket connection lifecycle and limits. */
  public record Connections(
      Duration heartbeatInterval,
      Duration idleTimeout,
      Duration refreshAt,
      Duration warnAt,
      Duration maxDuration,
      Duration refreshOverlap,
      int maxFrameBytes,
      int maxMessageBytes,
      int socketSendBufferBytes,
      Duration closeHandshakeTimeout,
      Duration statsInterval,
      Duration sweepInterval,
      Duration drainTimeout,
      int maxQueuedBytes) {}

  /** The audio path: replay window and slow listeners. */
  public record Audio(
      Duration replayWindow, Duration maxListenerLag, Duration slowListenerTimeout) {}

  /** Rate limits. */
  public record Limits(
      int sessionCreatesPerHour,
      long httpRequestsPerSecond,
      long httpBurst,
      int connectionAttemptsPerMinute,
      int listenerJoinsPerMinute,
      int unknownSessionJoinsPerMinute,
      int heartbeatsPerMinute,
      int crowdJoinsPerSession,
      List<String> trustedNetworks,
      int messagesPerSecond,
      int messageBurst,
      int pingsPerSecond,
      int pingBurst) {}

  /**
   * The backend integration: keys for the management API ({@code /@connections}, broadcast), the
   * secret that signs every request Pentecost makes to a backend, route integrations (route key to
   * URL), webhook URLs, and how calls to them are bounded.
   */
  public record Backend(
      List<String> keys,
      String signingSecret,
      Map<String, String> routes,
      Duration timeout,
      List<String> webhooks,
      int maxPendingPerConnection,
      Duration breakerOpenFor,
      int webhookQueueSize,
      int webhookAttempts,
      Duration clusterTimeout) {

    /** Whether anything calls out to a backend (a route or a webhook). */
    public boolean callsOut() {
      return !routes.isEmpty() || !webhooks.isEmpty();
    }
  }
}
