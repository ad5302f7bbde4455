package org.pentecost.server.session;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.auth.Principal;
import org.pentecost.server.error.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The speaker's summary of a session: what nodes report as it runs (listener time, peaks, audio
 * published), kept in the {@link SummaryStore} with the session's record, and read by its speaker.
 * Reports never fail their caller: a store failure is logged and the figure is lost.
 */
public final class Summaries {
  private static final Logger LOG = LoggerFactory.getLogger(Summaries.class);
  private static final String TOTAL = "*";

  private final SessionService sessions;
  private final SummaryStore store;
  private final Clock clock;

  public Summaries(SessionService sessions, SummaryStore store, Clock clock) {
    this.sessions = sessions;
    this.store = store;
    this.clock = clock;
  }

  /** Adds listener time, in milliseconds per language, heard on this node. */
  public Future<Void> listenerTime(String sessionId, Map<String, Long> millisByLanguage) {
    Map<String, Long> add = new java.util.HashMap<>();
    millisByLanguage.forEach((language, ms) -> add.put("ms|" + language, ms));
    return update(sessionId, new SummaryStore.Change(add, Map.of(), Map.of()));
  }

  /** Raises the peaks to these live counts across the cluster (per language and their total). */
  public Future<Void> counts(String sessionId, Map<String, Integer> counts) {
    Map<String, Long> max = new java.util.HashMap<>();
    long total = 0;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      max.put("peak|" + e.getKey(), (long) e.getValue());
      total += e.getValue();
    }
    max.put("peak|" + TOTAL, total);
    return update(sessionId, new SummaryStore.Change(Map.of(), max, Map.of()));
  }

  /**
   * A stream's state: {@code frames} numbered so far (its newest sequence number), published by
   * {@code by} ({@code speaker} or {@code worker}) as {@code codec} at {@code sampleRate} in frames
   * of {@code frameMs}.
   */
  public Future<Void> published(
      String sessionId,
      String language,
      String by,
      String codec,
      int sampleRate,
      int frameMs,
      long frames) {
    return update(
        sessionId,
        new SummaryStore.Change(
            Map.of(),
            Map.of("frames|" + language, frames),
            Map.of("fmt|" + language, by + " " + codec + " " + sampleRate + " " + frameMs)));
  }

  private Future<Void> update(String sessionId, SummaryStore.Change change) {
    return sessions
        .find(sessionId)
        .compose(
            s ->
                sessions.call(
                    "summaryUpdate",
                    () -> store.update(s.id(), s.createdAt(), change, s.expiresAt())))
        .otherwise(
            e -> {
              LOG.debug("summary of {} not updated: {}", sessionId, e.toString());
              return null;
            });
  }

  /** The summary, for the session's speaker only. */
  public Future<SessionSummary> read(Principal reader, String typedId) {
    return sessions
        .find(typedId)
        .compose(
            s -> {
              if (!reader.userId().equals(s.speakerUserId())) {
                throw new ApiException(
                    ErrorCode.NOT_SESSION_OWNER, "only the session's speaker may read this");
              }
              return sessions
                  .call("summaryRead", () -> store.read(s.id(), s.createdAt()))
                  .map(fields -> summary(s, fields));
            });
  }

  /** Deletes the summaries of expired sessions; returns how many. */
  public Future<Integer> purgeExpired() {
    long now = clock.millis();
    return sessions.call("summaryPurge", () -> store.purgeExpired(now));
  }

  private static SessionSummary summary(Session s, Map<String, String> fields) {
    TreeSet<String> languages = new TreeSet<>();
    for (String key : fields.keySet()) {
      String language = key.substring(key.indexOf('|') + 1);
      if (!language.equals(TOTAL)) {
        languages.add(language);
      }
    }
    List<SessionSummary.Language> list = new ArrayList<>();
    long totalMs = 0;
    for (String language : languages) {
      long ms = number(fields, "ms|" + language);
      totalMs += ms;
      list.add(
          new SessionSummary.Language(
              language,
              (int) number(fields, "peak|" + language),
              minutes(ms),
              audio(fields, language)));
    }
    boolean ended = s.status() == SessionStatus.ENDED;
    return new SessionSummary(
        s.id(),
        s.status(),
        s.createdAt(),
        ended ? s.updatedAt() : null,
        (int) number(fields, "peak|" + TOTAL),
        minutes(totalMs),
        list);
  }

  private static SessionSummary.Audio audio(Map<String, String> fields, String language) {
    String fmt = fields.get("fmt|" + language);
    if (fmt == null) {
      return null;
    }
    String[] p = fmt.split(" ");
    long frames = number(fields, "frames|" + language);
    int frameMs = Integer.parseInt(p[3]);
    return new SessionSummary.Audio(
        p[0], p[1], Integer.parseInt(p[2]), frames, minutes(frames * frameMs));
  }

  private static long number(Map<String, String> fields, String key) {
    String v = fields.get(key);
    return v == null ? 0 : Long.parseLong(v);
  }

  /** Milliseconds as minutes, to two decimals. */
  private static double minutes(long ms) {
    return Math.round(ms / 600.0) / 100.0;
  }
}
