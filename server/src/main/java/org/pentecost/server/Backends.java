package org.pentecost.server;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.pentecost.server.cluster.Broker;
import org.pentecost.server.cluster.LocalBroker;
import org.pentecost.server.cluster.RedisBroker;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.metrics.Metrics;
import org.pentecost.server.ratelimit.RateLimiter;
import org.pentecost.server.ratelimit.RedisRateLimiter;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.pentecost.server.session.ListenerCountStore;
import org.pentecost.server.session.RecordsRestored;
import org.pentecost.server.session.SessionStore;
import org.pentecost.server.session.SummaryStore;
import org.pentecost.server.session.TranscriptStore;
import org.pentecost.server.store.EmbeddedSessionStore;
import org.pentecost.server.store.EmbeddedSummaryStore;
import org.pentecost.server.store.EmbeddedTranscriptStore;
import org.pentecost.server.store.HistoryFile;
import org.pentecost.server.store.MemoryListenerCountStore;
import org.pentecost.server.store.MemorySummaryStore;
import org.pentecost.server.store.MemoryTranscriptStore;
import org.pentecost.server.store.RedisListenerCountStore;
import org.pentecost.server.store.RedisSessionStore;
import org.pentecost.server.store.RedisSummaryStore;
import org.pentecost.server.store.RedisTranscriptStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared state a node runs on, chosen by {@code store.type} in this one place: {@code embedded}
 * (sessions, transcripts and summaries in the data directory; counts and limits in memory; one
 * node) or {@code redis} (sessions, counts and the session-creation limit in Redis; any number of
 * nodes).
 */
final class Backends {
  private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

  private final String type;
  private final SessionStore sessions;
  private final ListenerCountStore counts;
  private final RateLimiter sessionLimiter;
  private final RedisCommands redis; // null when embedded
  private final RedisListenerCountStore redisCounts; // null when embedded
  private final Broker broker;
  private final TranscriptStore transcripts;
  private final SummaryStore summaries;
  private final HistoryFile history; // null with Redis, or when no history file can be used

  private Backends(
      String type,
      SessionStore sessions,
      ListenerCountStore counts,
      TranscriptStore transcripts,
      SummaryStore summaries,
      RateLimiter sessionLimiter,
      RedisCommands redis,
      RedisListenerCountStore redisCounts,
      Broker broker,
      HistoryFile history) {
    this.broker = broker;
    this.history = history;
    this.transcripts = transcripts;
    this.summaries = summaries;
    this.type = type;
    this.sessions = sessions;
    this.counts = counts;
    this.sessionLimiter = sessionLimiter;
    this.redis = redis;
    this.redisCounts = redisCounts;
  }

  /**
   * Opens the configured backends. The embedded store opens its file here (blocking, at start-up);
   * Redis is not contacted until {@link #start}.
   *
   * @param localLimiter the node's in-memory limiter, used for session creation when embedded
   */
  static Backends open(
      Vertx vertx,
      PentecostConfig config,
      String nodeId,
      Metrics metrics,
      Clock clock,
      RateLimiter localLimiter) {
    PentecostConfig.Store store = config.store();
    if (!store.isRedis()) {
      EmbeddedSessionStore sessions =
          EmbeddedSessionStore.open(vertx, config.server().dataDir(), clock, store.recover());
      HistoryFile history = HistoryFile.open(vertx, config.server().dataDir(), clock);
      return new Backends(
          "embedded",
          sessions,
          new MemoryListenerCountStore(),
          history == null ? new MemoryTranscriptStore() : new EmbeddedTranscriptStore(history),
          history == null ? new MemorySummaryStore() : new EmbeddedSummaryStore(history),
          localLimiter,
          null,
          null,
          new LocalBroker(nodeId),
          history);
    }
    RedisCommands redis = RedisCommands.create(vertx, store);
    Gauge.builder("pentecost_store_breaker_state", redis, RedisCommands::breakerState)
        .description("The circuit breaker on Redis: 0 closed, 1 half-open (probing), 2 open")
        .register(metrics.registry());
    RedisKeys keys = new RedisKeys(store.redis().keyPrefix());
    RedisListenerCountStore counts =
        new RedisListenerCountStore(
            vertx, redis, keys, nodeId, store.nodeLease(), config.sessions().ttl());
    if (!config.auth().isJwks() && config.auth().hmacSecret().isBlank()) {
      LOG.warn(
          "store.type is redis but auth.hmacSecret is not set: this node signs and checks tokens"
              + " with the secret of its own data directory, so other nodes reject its tokens and"
              + " it rejects theirs; give every node the same auth.hmacSecret (or use jwks)");
    }
    return new Backends(
        "redis",
        new RedisSessionStore(redis, keys, clock),
        counts,
        new RedisTranscriptStore(redis, keys),
        new RedisSummaryStore(redis, keys),
        new RedisRateLimiter(redis, keys, metrics),
        redis,
        counts,
        new RedisBroker(
            vertx,
            redis,
            keys,
            nodeId,
            config.audio().replayWindow().toNanos() / 1000,
            config.sessions().speakerGracePeriod().toMillis() + 60_000,
            metrics.registry()),
        null);
  }

  String type() {
    return type;
  }

  SessionStore sessions() {
    return sessions;
  }

  ListenerCountStore counts() {
    return counts;
  }

  /** Transcripts: in the data directory's history file when embedded, in Redis with Redis. */
  TranscriptStore transcripts() {
    return transcripts;
  }

  /** Summaries: in the data directory's history file when embedded, in Redis with Redis. */
  SummaryStore summaries() {
    return summaries;
  }

  /** Audio and events between nodes: in-process when embedded, Redis pub/sub with Redis. */
  Broker broker() {
    return broker;
  }

  /**
   * With Redis: {@code restore} writes back the records of this node's live sessions whenever it
   * finds its lease gone (Redis restarted empty), before its counts. Nothing to do when embedded.
   */
  void onLeaseLost(Supplier<Future<RecordsRestored>> restore) {
    if (redisCounts != null) {
      redisCounts.onLeaseLost(restore);
    }
  }

  /** The limiter of session creation: shared by all nodes with Redis. */
  RateLimiter sessionLimiter() {
    return sessionLimiter;
  }

  /**
   * Connects what needs connecting. Never fails: a node whose Redis is down still starts, reports
   * 503 on {@code /health} and on store calls, and recovers by itself when Redis answers.
   */
  Future<Void> start() {
    if (redis == null) {
      return Future.succeededFuture();
    }
    return sessions
        .ping()
        .onSuccess(v -> LOG.info("store: {} answers", redis.description()))
        .onFailure(
            e ->
                LOG.warn(
                    "store: {} does not answer ({}); starting anyway, unhealthy until it does",
                    redis.description(),
                    e.getMessage()))
        .transform(ar -> redisCounts.start())
        .transform(ar -> broker.start());
  }

  /** Stops counting (removing this node's counts from Redis), then releases the stores. */
  Future<Void> close() {
    Future<Void> counted =
        redisCounts == null
            ? Future.succeededFuture()
            : redisCounts
                .close()
                .timeout(2 * redis.timeoutMillis() + 1_000, TimeUnit.MILLISECONDS)
                .onFailure(
                    e ->
                        LOG.warn(
                            "could not remove this node's listener counts from Redis ({}); they"
                                + " leave when its lease runs out",
                            e.getMessage()));
    return counted
        .transform(ar -> broker.close())
        .transform(ar -> sessions.close())
        .transform(ar -> history == null ? Future.succeededFuture() : history.close())
        .transform(ar -> redis == null ? Future.succeededFuture() : redis.close());
  }
}
