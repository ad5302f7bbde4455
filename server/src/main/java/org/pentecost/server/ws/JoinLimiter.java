package org.pentecost.server.ws;

import io.vertx.core.Future;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.metrics.Metrics;
import org.pentecost.server.ratelimit.LocalRateLimiter;
import org.pentecost.server.ratelimit.RateDecision;
import org.pentecost.server.ratelimit.RateLimit;
import org.pentecost.server.ratelimit.RateLimiter;
import org.pentecost.server.util.Cidr;

/**
 * Who may open a connection, and how often.
 *
 * <p>Per client IP: connection attempts and listener joins per minute (the seeds' limits), and a
 * much harder limit on joins to codes that do not exist, since codes are guessable words. A
 * congregation behind one NAT shares one IP, so once an IP's per-minute budget is spent, joins to
 * one <em>live</em> session may still draw on a per-IP, per-session crowd allowance sized like a
 * full session. Trusted networks skip the per-IP limits; a refresh of a live connection is not a
 * new join and is never limited.
 */
final class JoinLimiter {
  private final RateLimiter shared;
  private final LocalRateLimiter local;
  private final Metrics metrics;
  private final List<Cidr> trusted;
  private final RateLimit attempts;
  private final RateLimit joins;
  private final RateLimit unknown;
  private final RateLimit crowd;
  private final RateLimit heartbeats;

  /**
   * {@code shared} holds the per-IP limits: the node's own limiter on one node, Redis with several
   * (so that they hold across nodes, failing open when Redis is unavailable); heartbeats, limited
   * per connection, stay in {@code local}.
   */
  JoinLimiter(
      PentecostConfig.Limits limits, RateLimiter shared, LocalRateLimiter local, Metrics metrics) {
    this.shared = shared;
    this.local = local;
    this.metrics = metrics;
    this.trusted = Cidr.parseAll(limits.trustedNetworks());
    Duration minute = Duration.ofMinutes(1);
    this.attempts = RateLimit.perPeriod("ws_connect", limits.connectionAttemptsPerMinute(), minute);
    this.joins = RateLimit.perPeriod("ws_join", limits.listenerJoinsPerMinute(), minute);
    this.unknown =
        RateLimit.perPeriod("ws_unknown_session", limits.unknownSessionJoinsPerMinute(), minute);
    this.crowd =
        RateLimit.perPeriod("ws_crowd", limits.crowdJoinsPerSession(), Duration.ofHours(1));
    // One extra token absorbs timer jitter of a client that heartbeats exactly at the limit.
    this.heartbeats =
        new RateLimit(
            "ws_heartbeat",
            limits.heartbeatsPerMinute() + 1L,
            limits.heartbeatsPerMinute(),
            minute);
  }

  boolean isTrusted(InetAddress ip) {
    return Cidr.anyContains(trusted, ip);
  }

  /** Takes one connection attempt of this IP; the decision is applied later by the caller. */
  Future<RateDecision> attempt(InetAddress ip) {
    return isTrusted(ip)
        ? Future.succeededFuture(RateDecision.ALLOWED)
        : shared.tryAcquire(attempts, ip.getHostAddress());
  }

  /** A speaker's or worker's connection: authenticated users, limited by attempts only. */
  void checkAuthenticated(RateDecision attempt) {
    if (!attempt.allowed()) {
      throw limited("ws_connect", attempt);
    }
  }

  /** A join to a code that names no live session: refused harder than anything else. */
  Future<Void> checkUnknownSession(InetAddress ip) {
    if (isTrusted(ip)) {
      return Future.succeededFuture();
    }
    return shared
        .tryAcquire(unknown, ip.getHostAddress())
        .map(
            d -> {
              if (!d.allowed()) {
                throw limited("ws_unknown_session", d);
              }
              return null;
            });
  }

  /** A new listener of a live session. */
  Future<Void> checkListenerJoin(InetAddress ip, String sessionId, RateDecision attempt) {
    if (isTrusted(ip)) {
      return Future.succeededFuture();
    }
    return shared
        .tryAcquire(joins, ip.getHostAddress())
        .compose(
            join -> {
              if (attempt.allowed() && join.allowed()) {
                return Future.succeededFuture();
              }
              return shared
                  .tryAcquire(crowd, ip.getHostAddress() + " " + sessionId)
                  .map(
                      allowance -> {
                        if (!allowance.allowed()) {
                          RateDecision worst = attempt.allowed() ? join : attempt;
                          throw limited(
                              "ws_join",
                              worst.retryAfter().compareTo(allowance.retryAfter()) < 0
                                  ? worst
                                  : allowance);
                        }
                        return null;
                      });
            });
  }

  /** A heartbeat; false when this connection sends them faster than allowed. */
  boolean heartbeat(String connectionId) {
    boolean ok = local.acquire(heartbeats, connectionId).allowed();
    if (!ok) {
      metrics.rateLimited("ws_heartbeat");
    }
    return ok;
  }

  private ApiException limited(String name, RateDecision d) {
    metrics.rateLimited(name);
    return new ApiException(
        ErrorCode.RATE_LIMITED, "too many connection attempts; try again later", d.retryAfter());
  }
}
