package org.pentecost.server.session;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.auth.Principal;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.util.InputExcerpt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's transcripts: the final captions of each language, kept in the {@link TranscriptStore}
 * for the session's life, and who may read them (its speaker; anyone when the session's {@code
 * transcriptPublic} is set).
 */
public final class Transcripts {
  private static final Logger LOG = LoggerFactory.getLogger(Transcripts.class);

  /**
   * The bounds of one language's transcript: 20,000 lines (a caption every 2 s for 11 hours) and 4
   * million characters (about 2,000 pages); lines past either are not kept.
   */
  public static final TranscriptStore.Limits LIMITS =
      new TranscriptStore.Limits(20_000, 4_000_000L);

  private final SessionService sessions;
  private final TranscriptStore store;
  private final Clock clock;

  public Transcripts(SessionService sessions, TranscriptStore store, Clock clock) {
    this.sessions = sessions;
    this.store = store;
    this.clock = clock;
  }

  /** A transcript as read: its session, language and lines. */
  public record Transcript(Session session, String language, List<TranscriptLine> lines) {}

  /**
   * Keeps a final caption of {@code language} published now in the session {@code sessionId}. Never
   * fails: a store failure is logged (the caption itself was delivered already).
   */
  public Future<Boolean> keep(String sessionId, String language, String text) {
    long now = clock.millis();
    TranscriptLine line = new TranscriptLine(now, text);
    return sessions
        .find(sessionId)
        .compose(
            s ->
                sessions.call(
                    "transcriptAppend",
                    () ->
                        store.append(s.id(), s.createdAt(), language, line, s.expiresAt(), LIMITS)))
        .onSuccess(
            kept -> {
              if (!kept) {
                LOG.debug("transcript of {} in {} is full; caption not kept", sessionId, language);
              }
            })
        .otherwise(
            e -> {
              LOG.warn("caption of {} not kept in the transcript: {}", sessionId, e.toString());
              return false;
            });
  }

  /**
   * The transcript of {@code language}, for {@code reader} (null: no token given). Fails with
   * SESSION_NOT_FOUND, UNSUPPORTED_LANGUAGE, MISSING_TOKEN (private, no token) or NOT_SESSION_OWNER
   * (private, someone else's token).
   */
  public Future<Transcript> read(Principal reader, String typedId, String language) {
    String canonical = language == null ? null : sessions.languages().canonical(language);
    if (canonical == null) {
      return Future.failedFuture(
          new ApiException(
              ErrorCode.UNSUPPORTED_LANGUAGE,
              language == null
                  ? "'language' is required, e.g. ?language=en"
                  : "unsupported language '" + InputExcerpt.of(language) + "'"));
    }
    return readable(reader, typedId)
        .compose(
            s ->
                sessions
                    .call("transcriptLines", () -> store.lines(s.id(), s.createdAt(), canonical))
                    .map(lines -> new Transcript(s, canonical, lines)));
  }

  /**
   * The languages of the session that have a transcript, for {@code reader} as in {@link #read}.
   */
  public Future<List<String>> languages(Principal reader, String typedId) {
    return readable(reader, typedId)
        .compose(
            s ->
                sessions.call("transcriptLanguages", () -> store.languages(s.id(), s.createdAt())));
  }

  /** Deletes the transcripts of expired sessions; returns how many sessions. */
  public Future<Integer> purgeExpired() {
    long now = clock.millis();
    return sessions.call("transcriptPurge", () -> store.purgeExpired(now));
  }

  private Future<Session> readable(Principal reader, String typedId) {
    return sessions
        .find(typedId)
        .map(
            s -> {
              if (s.transcriptPublic()) {
                return s;
              }
              if (reader == null) {
                throw new ApiException(
                    ErrorCode.MISSING_TOKEN,
                    "this session's transcripts are for its speaker; give the speaker's token");
              }
              if (!reader.userId().equals(s.speakerUserId())) {
                throw new ApiException(
                    ErrorCode.NOT_SESSION_OWNER, "only the session's speaker may read this");
              }
              return s;
            });
  }
}
