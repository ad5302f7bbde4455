package org.pentecost.server.session;

import io.vertx.core.Future;
import java.util.List;

/**
 * The final captions of each session and language, kept for the session's life.
 *
 * <p>Contract, for every implementation (checked by {@code TranscriptStoreContract}):
 *
 * <ul>
 *   <li>A transcript belongs to one session record: its id and {@code createdAt} (a code is free
 *       again once its session expired; a later session with the same code starts empty).
 *   <li>{@link #append} keeps lines in the order appended, across nodes for shared stores, and is
 *       bounded: a line that would take the transcript over {@code maxLines} lines or {@code
 *       maxChars} characters is refused (false), and the lines kept stay as they are.
 *   <li>A transcript goes when its session's {@code expiresAt} passes: by itself (Redis) or with
 *       {@link #purgeExpired}.
 *   <li>Failures of the store fail the future with {@code StoreException}.
 * </ul>
 */
public interface TranscriptStore {

  /**
   * Appends a line to the transcript of {@code language} in the session {@code (id, createdAt)}.
   *
   * @param expiresAt when the session, and so the transcript, expires (epoch ms)
   * @return true if kept, false if the transcript is full
   */
  Future<Boolean> append(
      String sessionId,
      long createdAt,
      String language,
      TranscriptLine line,
      long expiresAt,
      Limits limits);

  /** The lines of one language, oldest first (empty when there are none). */
  Future<List<TranscriptLine>> lines(String sessionId, long createdAt, String language);

  /** The languages that have at least one line, in no particular order. */
  Future<List<String>> languages(String sessionId, long createdAt);

  /** Deletes the transcripts of sessions expired at {@code now}; returns how many sessions. */
  Future<Integer> purgeExpired(long now);

  /** The bounds of one transcript (one session, one language). */
  record Limits(int maxLines, long maxChars) {}
}
