package org.pentecost.server.ws;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.protocol.Messages;
import org.pentecost.server.auth.BearerToken;
import org.pentecost.server.auth.TokenVerifier;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.ratelimit.RateDecision;
import org.pentecost.server.session.ListenerCountStore;
import org.pentecost.server.session.Session;
import org.pentecost.server.session.SessionService;
import org.pentecost.server.session.SessionStatus;
import org.pentecost.server.util.InputExcerpt;

/**
 * Decides whether a new WebSocket becomes a connection: parameters, limits, token, session,
 * ownership, capacity, and refresh. Fails with an {@link ApiException} whose code the gateway sends
 * before closing.
 */
final class Admission {
  private static final Duration FULL_RETRY = Duration.ofSeconds(30);

  private final SessionService sessions;
  private final ListenerCountStore counts;
  private final TokenVerifier tokens;
  private final JoinLimiter limiter;
  private final ConnectionRegistry registry;
  private final int maxListeners;
  private final java.util.Set<String> workerSubjects;

  private final ConnectionLimits limits;

  Admission(
      SessionService sessions,
      ListenerCountStore counts,
      TokenVerifier tokens,
      JoinLimiter limiter,
      ConnectionRegistry registry,
      ConnectionLimits limits,
      int maxListeners,
      java.util.List<String> workerSubjects) {
    this.limits = limits;
    this.sessions = sessions;
    this.counts = counts;
    this.tokens = tokens;
    this.limiter = limiter;
    this.registry = registry;
    this.maxListeners = maxListeners;
    this.workerSubjects = java.util.Set.copyOf(workerSubjects);
  }

  /**
   * An admitted connection, the session it joined, the connection it refreshes (or null), and the
   * sequence number a listener resumes after (-1 for none).
   */
  record Admitted(
      Connection connection,
      Session session,
      Connection previous,
      long lastSeq,
      String previousElsewhere) {
    Admitted(Connection connection, Session session, Connection previous, long lastSeq) {
      this(connection, session, previous, lastSeq, null);
    }
  }

  Future<Admitted> admit(ServerWebSocket ws, Context context, InetAddress ip, long now) {
    Map<String, List<String>> query =
        new QueryStringDecoder("?" + (ws.query() == null ? "" : ws.query())).parameters();
    String userAgent = ws.headers() == null ? null : ws.headers().get("User-Agent");
    String host = ws.headers() == null ? null : ws.headers().get("Host");
    String roleText = param(query, Messages.Q_ROLE);
    Role role = roleText == null ? Role.LISTENER : Role.fromWire(roleText);
    if (role == null) {
      return fail(ErrorCode.INVALID_REQUEST, "role must be listener, speaker or worker");
    }
    String typedId = param(query, Messages.Q_SESSION_ID);
    if (typedId == null || typedId.isBlank()) {
      return fail(ErrorCode.INVALID_REQUEST, "the sessionId parameter is required");
    }
    Connection previous = registry.get(param(query, Messages.Q_PREVIOUS_CONNECTION_ID));
    long lastSeq;
    AudioFormat format;
    String audio = param(query, Messages.Q_AUDIO);
    if (audio != null && !Messages.Q_AUDIO_NONE.equals(audio)) {
      return fail(
          ErrorCode.INVALID_REQUEST,
          "audio must be 'none' (captions only) or left out; was '" + InputExcerpt.of(audio) + "'");
    }
    try {
      lastSeq = lastSeq(param(query, Messages.Q_LAST_SEQ));
      format = role == Role.LISTENER ? null : AudioFormat.fromQuery(query);
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    Future<RateDecision> attempted =
        previous != null ? Future.succeededFuture(RateDecision.ALLOWED) : limiter.attempt(ip);
    return attempted.compose(
        attempt -> {
          Params p =
              new Params(
                  ws,
                  context,
                  ip,
                  now,
                  typedId,
                  param(query, Messages.Q_TARGET_LANGUAGE),
                  previous,
                  previous == null ? param(query, Messages.Q_PREVIOUS_CONNECTION_ID) : null,
                  attempt,
                  lastSeq,
                  "source".equals(param(query, Messages.Q_FALLBACK)),
                  audio != null,
                  format,
                  userAgent,
                  host);
          if (role == Role.LISTENER) {
            return admitListener(p);
          }
          String token = param(query, Messages.Q_TOKEN);
          if (token == null) {
            token = BearerToken.fromHeader(ws.headers().get("Authorization"));
          }
          return tokens
              .verify(token)
              .compose(
                  principal ->
                      role == Role.SPEAKER
                          ? admitSpeaker(p, principal.userId())
                          : admitWorker(p, principal.userId()));
        });
  }

  private record Params(
      ServerWebSocket ws,
      Context context,
      InetAddress ip,
      long now,
      String typedId,
      String language,
      Connection previous,
      String previousId,
      RateDecision attempt,
      long lastSeq,
      boolean fallback,
      boolean audioNone,
      AudioFormat format,
      String userAgent,
      String host) {}

  private Future<Admitted> admitListener(Params p) {
    return findLive(p)
        .compose(
            session -> {
              String language =
                  p.language() == null
                      ? session.sourceLanguage()
                      : sessions.languages().canonical(p.language());
              if (language == null) {
                throw new ApiException(
                    ErrorCode.UNSUPPORTED_LANGUAGE,
                    "unsupported targetLanguage '"
                        + InputExcerpt.of(p.language())
                        + "'; supported: "
                        + String.join(", ", sessions.languages().codes()));
              }
              Connection previous = p.previous();
              if (previous != null
                  && (previous.role != Role.LISTENER || !previous.sessionId.equals(session.id()))) {
                throw new ApiException(
                    ErrorCode.NOT_SESSION_OWNER,
                    "previousConnectionId names a connection of another session or role");
              }
              Connection c = newConnection(p, Role.LISTENER, session.id(), null, language);
              c.fallback = p.fallback();
              c.audioNone = p.audioNone();
              // A refresh takes over the old connection's place in the count, so the count never
              // rises, not even for a moment; if the old one already left, this is a new join.
              if (previous != null && previous.counted.compareAndSet(true, false)) {
                c.counted.set(true);
                Future<Void> moved =
                    previous.language.equals(language)
                        ? Future.succeededFuture()
                        : counts.move(session.id(), previous.language, language);
                return moved.map(v -> new Admitted(c, session, previous, p.lastSeq()));
              }
              return limiter
                  .checkListenerJoin(p.ip(), session.id(), p.attempt())
                  .compose(v -> counts.tryAdd(session.id(), language, maxListeners))
                  .map(
                      added -> {
                        if (!added) {
                          throw new ApiException(
                              ErrorCode.SESSION_FULL,
                              "this session is full ("
                                  + maxListeners
                                  + " listeners); try again shortly",
                              FULL_RETRY);
                        }
                        c.counted.set(true);
                        // A refresh of a connection on another node (or one already gone).
                        return new Admitted(c, session, null, p.lastSeq(), p.previousId());
                      });
            });
  }

  private Future<Admitted> admitSpeaker(Params p, String userId) {
    limiter.checkAuthenticated(p.attempt());
    return findLive(p)
        .map(
            session -> {
              if (!session.speakerUserId().equals(userId)) {
                throw new ApiException(
                    ErrorCode.NOT_SESSION_OWNER,
                    "only the session's speaker may connect as speaker");
              }
              Connection previous = p.previous();
              if (previous != null
                  && (previous.role != Role.SPEAKER
                      || !previous.sessionId.equals(session.id())
                      || !userId.equals(previous.userId))) {
                throw new ApiException(
                    ErrorCode.NOT_SESSION_OWNER,
                    "previousConnectionId names a connection of another session or user");
              }
              Connection c =
                  newConnection(p, Role.SPEAKER, session.id(), userId, session.sourceLanguage());
              return new Admitted(c, session, previous, -1);
            });
  }

  private Future<Admitted> admitWorker(Params p, String userId) {
    limiter.checkAuthenticated(p.attempt());
    return findLive(p)
        .map(
            session -> {
              if (!session.speakerUserId().equals(userId) && !workerSubjects.contains(userId)) {
                throw new ApiException(
                    ErrorCode.NOT_SESSION_OWNER,
                    "this token may not publish into the session (not its speaker, not a worker)");
              }
              String language =
                  p.language() == null ? null : sessions.languages().canonical(p.language());
              if (language == null || language.equals(session.sourceLanguage())) {
                throw new ApiException(
                    ErrorCode.UNSUPPORTED_LANGUAGE,
                    "a worker needs a supported targetLanguage other than the source language");
              }
              Connection previous = p.previous();
              if (previous != null
                  && (previous.role != Role.WORKER || !previous.sessionId.equals(session.id()))) {
                throw new ApiException(
                    ErrorCode.NOT_SESSION_OWNER,
                    "previousConnectionId names a connection of another session or role");
              }
              return new Admitted(
                  newConnection(p, Role.WORKER, session.id(), userId, language),
                  session,
                  previous,
                  -1);
            });
  }

  private static long lastSeq(String text) {
    if (text == null) {
      return -1;
    }
    try {
      long n = Long.parseLong(text);
      if (n >= 0 && n <= 0xFFFF_FFFFL) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ApiException(ErrorCode.INVALID_REQUEST, "lastSeq must be a sequence number");
  }

  /** The session, if it exists and has not ended; unknown codes draw on the hard limit. */
  private Future<Session> findLive(Params p) {
    return sessions
        .find(p.typedId())
        .recover(
            e -> {
              if (e instanceof ApiException api && api.code() == ErrorCode.SESSION_NOT_FOUND) {
                // Refused harder (RATE_LIMITED) once the IP has guessed too many codes.
                return limiter
                    .checkUnknownSession(p.ip())
                    .compose(v -> Future.<Session>failedFuture(e));
              }
              return Future.failedFuture(e);
            })
        .map(
            session -> {
              if (session.status() == SessionStatus.ENDED) {
                throw new ApiException(ErrorCode.SESSION_ENDED, "this session has ended");
              }
              return session;
            });
  }

  private Connection newConnection(
      Params p, Role role, String sessionId, String userId, String language) {
    // The id carries this node's tag: the management API finds the connection's node by it.
    Connection c =
        new Connection(
            registry.ids.next(),
            p.ws(),
            limits,
            p.context(),
            p.ip(),
            p.now(),
            role,
            sessionId,
            userId,
            language);
    c.format = p.format();
    c.userAgent = p.userAgent();
    c.domainName = p.host();
    return c;
  }

  private static String param(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static <T> Future<T> fail(ErrorCode code, String message) {
    return Future.failedFuture(new ApiException(code, message));
  }
}
