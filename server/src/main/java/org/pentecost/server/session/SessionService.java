package org.pentecost.server.session;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.auth.Principal;
import org.pentecost.server.backend.Webhooks;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.metrics.Metrics;
import org.pentecost.server.ratelimit.RateLimit;
import org.pentecost.server.ratelimit.RateLimiter;
import org.pentecost.server.util.InputExcerpt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session lifecycle, independent of transport: the HTTP API and the WebSocket gateway both call
 * it. Every failure is an {@link ApiException} with its code.
 */
public final class SessionService {
  private static final Logger LOG = LoggerFactory.getLogger(SessionService.class);

  /** Attempts at a free code before giving up; with 17.5M codes a retry is already rare. */
  private static final int CREATE_ATTEMPTS = 16;

  /** Attempts at a compare-and-set update when concurrent changes keep winning. */
  private static final int UPDATE_ATTEMPTS = 8;

  private final SessionStore store;
  private final ListenerCountStore counts;
  private final RateLimiter limiter;
  private final Metrics metrics;
  private final Clock clock;
  private final Languages languages;
  private final SessionIds ids;
  private final Duration ttl;
  private final long storeTimeoutMillis;
  private final RateLimit createLimit;
  private final SessionRecovery recovery;
  private final List<Consumer<Session>> statusListeners = new CopyOnWriteArrayList<>();
  private final SessionWebhooks hooks;
  private final Webhooks webhooks;

  public SessionService(
      PentecostConfig config,
      SessionStore store,
      ListenerCountStore counts,
      RateLimiter limiter,
      Metrics metrics,
      Clock clock,
      Webhooks webhooks) {
    this.store = store;
    this.counts = counts;
    this.limiter = limiter;
    this.metrics = metrics;
    this.clock = clock;
    this.languages = new Languages(config.sessions().languages());
    this.ids = new SessionIds(WordList.load(config.sessions().wordList()));
    this.ttl = config.sessions().ttl();
    this.storeTimeoutMillis = config.store().timeout().toMillis();
    this.createLimit =
        RateLimit.perPeriod(
            "session_create", config.limits().sessionCreatesPerHour(), Duration.ofHours(1));
    this.recovery = new SessionRecovery(store, metrics, clock);
    this.webhooks = webhooks;
    this.hooks = new SessionWebhooks(webhooks);
    if (hooks.enabled()) {
      counts.onDemandChange(hooks);
    }
  }

  /** Writes back the records of this node's live sessions when the store lost them. */
  public SessionRecovery recovery() {
    return recovery;
  }

  /** Where this node reports webhook events ({@link Webhooks#NONE} without any). */
  public Webhooks webhooks() {
    return webhooks;
  }

  public Languages languages() {
    return languages;
  }

  /**
   * The listener counts for the WebSocket gateway: the same store, with the deadline, metrics and
   * 503 of the service's own store calls, so that a join refused because the store is down says so
   * (SERVICE_UNAVAILABLE) rather than failing with an internal error.
   */
  public ListenerCountStore listenerCounts() {
    return new GuardedCounts(this, counts);
  }

  /** The session's live counts by language (empty when nobody listens). */
  public Future<Map<String, Integer>> counts(String sessionId) {
    return call("counts", () -> counts.counts(sessionId));
  }

  /** Called with the new state after every status change (pause, resume, end). */
  public void onStatusChange(Consumer<Session> listener) {
    statusListeners.add(listener);
  }

  public Future<SessionView> create(
      Principal speaker, String sourceLanguage, QualityTier tier, boolean transcriptPublic) {
    String language = requireLanguage(sourceLanguage);
    return limiter
        .tryAcquire(createLimit, speaker.userId())
        .compose(
            decision -> {
              if (!decision.allowed()) {
                metrics.rateLimited(createLimit.name());
                throw new ApiException(
                    ErrorCode.RATE_LIMITED,
                    "too many sessions created; try again later",
                    decision.retryAfter());
              }
              long now = clock.millis();
              return insert(speaker.userId(), language, tier, transcriptPublic, now, 1);
            })
        .map(
            session -> {
              metrics.sessionCreated(language);
              hooks.created(session);
              return SessionView.of(session, Map.of());
            });
  }

  private Future<Session> insert(
      String userId, String language, QualityTier tier, boolean open, long now, int attempt) {
    Session session =
        new Session(
            ids.next(),
            userId,
            language,
            tier,
            SessionStatus.ACTIVE,
            now,
            now,
            now + ttl.toMillis(),
            1,
            open);
    return call("create", () -> store.create(session))
        .compose(
            created -> {
              if (created) {
                return Future.succeededFuture(session);
              }
              if (attempt >= CREATE_ATTEMPTS) {
                throw new ApiException(
                    ErrorCode.SERVICE_UNAVAILABLE, "no free session code; try again");
              }
              return insert(userId, language, tier, open, now, attempt + 1);
            });
  }

  /** The live session with this (forgivingly typed) code, or SESSION_NOT_FOUND. */
  public Future<Session> find(String typedId) {
    String id = SessionIds.normalize(typedId);
    if (id == null) {
      return Future.failedFuture(notFound());
    }
    return call("get", () -> store.get(id))
        .map(found -> found.orElseThrow(SessionService::notFound))
        .onSuccess(recovery::seen);
  }

  public Future<SessionView> view(String typedId) {
    return find(typedId).compose(this::withCounts);
  }

  public Future<List<SessionView>> listMine(Principal speaker) {
    return call("findBySpeaker", () -> store.findBySpeaker(speaker.userId()))
        .compose(
            sessions ->
                Future.all(sessions.stream().map(this::withCounts).toList())
                    .map(all -> all.<SessionView>list()));
  }

  public Future<SessionView> update(Principal caller, String typedId, SessionPatch patch) {
    if (patch.isEmpty()) {
      return Future.failedFuture(
          new ApiException(
              ErrorCode.INVALID_REQUEST,
              "nothing to change: give status, sourceLanguage, qualityTier or transcriptPublic"));
    }
    String language =
        patch.sourceLanguage() == null ? null : requireLanguage(patch.sourceLanguage());
    return change(caller, typedId, patch, language, 1, "ended").compose(this::withCounts);
  }

  /**
   * Ends a session on the server's own account (its speaker did not come back). {@code known} is
   * this node's record of it (null if none). If the store lost that session, or another session
   * holds its code now, {@code known} is ended all the same: written back as ended when the code is
   * free, and the status listeners are told, so that its connections end on every node.
   */
  public Future<Void> endBySystem(String id, Session known) {
    return endBySystem(id, known, true);
  }

  private Future<Void> endBySystem(String id, Session known, boolean again) {
    return find(id)
        .transform(
            ar -> {
              if (ar.succeeded() && (known == null || ar.result().sameSessionAs(known))) {
                Session s = ar.result();
                return s.status() == SessionStatus.ENDED
                    ? Future.succeededFuture()
                    : end(new Principal(s.speakerUserId()), id, "speakerGone");
              }
              if (known == null || (ar.failed() && !isNotFound(ar.cause()))) {
                return Future.failedFuture(ar.failed() ? ar.cause() : notFound());
              }
              Session ended =
                  known.next(
                      SessionStatus.ENDED,
                      known.sourceLanguage(),
                      known.qualityTier(),
                      known.transcriptPublic(),
                      clock.millis());
              return call("create", () -> store.create(ended))
                  .otherwise(false)
                  .compose(
                      written -> {
                        if (!written && again) {
                          return endBySystem(id, known, false); // written back meanwhile
                        }
                        LOG.info(
                            "session {} was not in the store; ended from this node's record", id);
                        statusChanged(ended, "speakerGone");
                        return Future.<Void>succeededFuture();
                      });
            });
  }

  private static boolean isNotFound(Throwable e) {
    return e instanceof ApiException api && api.code() == ErrorCode.SESSION_NOT_FOUND;
  }

  /** Ends the session (soft delete); ending an ended session again is a no-op. */
  public Future<Void> end(Principal caller, String typedId) {
    return end(caller, typedId, "ended");
  }

  private Future<Void> end(Principal caller, String typedId, String reason) {
    return find(typedId)
        .compose(
            s -> {
              requireOwner(caller, s);
              if (s.status() == SessionStatus.ENDED) {
                return Future.succeededFuture();
              }
              SessionPatch patch = new SessionPatch(SessionStatus.ENDED, null, null, null);
              return change(caller, typedId, patch, null, 1, reason).mapEmpty();
            });
  }

  /** {@code reason}: what an end is reported as (webhooks). */
  private Future<Session> change(
      Principal caller,
      String typedId,
      SessionPatch patch,
      String language,
      int attempt,
      String reason) {
    return find(typedId)
        .compose(
            current -> {
              requireOwner(caller, current);
              Session next = patch.applyTo(current, language, clock.millis());
              if (next == current) {
                return Future.succeededFuture(current);
              }
              return call("replace", () -> store.replace(current.version(), next))
                  .compose(
                      replaced -> {
                        if (replaced) {
                          recovery.seen(next);
                          if (next.status() != current.status()) {
                            statusChanged(next, reason);
                          }
                          return Future.succeededFuture(next);
                        }
                        if (attempt >= UPDATE_ATTEMPTS) {
                          throw new ApiException(
                              ErrorCode.CONFLICT, "the session is being changed; try again");
                        }
                        return change(caller, typedId, patch, language, attempt + 1, reason);
                      });
            });
  }

  private void statusChanged(Session session, String reason) {
    if (session.status() == SessionStatus.ENDED) {
      metrics.sessionEnded();
    }
    hooks.statusChanged(session, reason);
    for (Consumer<Session> listener : statusListeners) {
      listener.accept(session);
    }
  }

  private Future<SessionView> withCounts(Session s) {
    return call("counts", () -> counts.counts(s.id())).map(c -> SessionView.of(s, c));
  }

  /** Deletes expired sessions and forgets their counts; returns how many. */
  public Future<Integer> purgeExpired() {
    long now = clock.millis();
    return call("purgeExpired", () -> store.purgeExpired(now))
        .compose(n -> reportExpired(now).map(n));
  }

  /**
   * Reports, once across the nodes, each session that expired without having ended (taken even
   * without webhooks, so that the store's list of them stays short).
   */
  private Future<Void> reportExpired(long now) {
    return call("takeExpired", () -> store.takeExpired(now))
        .map(
            ids -> {
              ids.forEach(hooks::expired);
              return null;
            });
  }

  public Future<Void> ping() {
    return call("ping", store::ping);
  }

  private String requireLanguage(String code) {
    String canonical = languages.canonical(code);
    if (canonical == null) {
      throw new ApiException(
          ErrorCode.UNSUPPORTED_LANGUAGE,
          "unsupported language '"
              + InputExcerpt.of(code)
              + "'; supported: "
              + String.join(", ", languages.codes()));
    }
    return canonical;
  }

  private static void requireOwner(Principal caller, Session s) {
    if (!s.speakerUserId().equals(caller.userId())) {
      throw new ApiException(ErrorCode.NOT_SESSION_OWNER, "only the session's speaker may do this");
    }
  }

  private static ApiException notFound() {
    return new ApiException(ErrorCode.SESSION_NOT_FOUND, "no live session has this code");
  }

  /** A store call with a deadline, timing and a 503 on failure. */
  <T> Future<T> call(String operation, Supplier<Future<T>> op) {
    long start = System.nanoTime();
    Future<T> f;
    try {
      f = op.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.timeout(storeTimeoutMillis, TimeUnit.MILLISECONDS)
        .transform(
            ar -> {
              metrics.storeCall(operation, ar.succeeded(), System.nanoTime() - start);
              if (ar.succeeded()) {
                return Future.succeededFuture(ar.result());
              }
              Throwable cause = ar.cause();
              if (cause instanceof ApiException) {
                return Future.failedFuture(cause);
              }
              if (cause instanceof StoreException se && se.isAlreadyLogged()) {
                // the store logged this outage once (a full disk): not once more per request
                LOG.debug("store call {} failed: {}", operation, cause.toString());
              } else {
                LOG.warn("store call {} failed: {}", operation, cause.toString());
              }
              return Future.failedFuture(
                  new ApiException(
                      ErrorCode.SERVICE_UNAVAILABLE,
                      "the session store is unavailable; try again shortly",
                      Duration.ofSeconds(1)));
            });
  }
}
