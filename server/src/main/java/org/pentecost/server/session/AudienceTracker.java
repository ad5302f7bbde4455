package org.pentecost.server.session;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The listener counts as the WebSocket gateway uses them, noting for the speaker's summary what
 * they change: this node's listener time per session and language (the integral of its own count
 * over time, exact, with no state per connection), and, after each join or switch, the cluster's
 * counts as peaks. Listener time is reported by {@link #flush} (every few seconds) and at once when
 * the node's last listener of a session leaves; nodes' reports add up.
 */
public final class AudienceTracker implements ListenerCountStore {
  private final ListenerCountStore counts;
  private final Summaries summaries;
  private final Clock clock;
  private final ConcurrentHashMap<String, Audience> sessions = new ConcurrentHashMap<>();

  /** This node's listeners of one session: count, since when, and time not yet reported. */
  private static final class Audience {
    final Map<String, Integer> local = new HashMap<>();
    final Map<String, Long> unreported = new HashMap<>();
    long since;

    /** Adds the time since the last change to every language heard, then applies {@code delta}. */
    void change(long now, String language, int delta) {
      advance(now);
      local.merge(language, delta, Integer::sum);
      if (local.get(language) <= 0) {
        local.remove(language);
      }
    }

    void advance(long now) {
      long elapsed = Math.max(0, now - since);
      if (elapsed > 0) {
        local.forEach((language, n) -> unreported.merge(language, n * elapsed, Long::sum));
      }
      since = now;
    }

    Map<String, Long> take(long now) {
      advance(now);
      Map<String, Long> out = new HashMap<>(unreported);
      out.values().removeIf(ms -> ms == 0);
      unreported.clear();
      return out;
    }
  }

  public AudienceTracker(ListenerCountStore counts, Summaries summaries, Clock clock) {
    this.counts = counts;
    this.summaries = summaries;
    this.clock = clock;
  }

  private void change(String sessionId, String language, int delta) {
    long now = clock.millis();
    @SuppressWarnings("unchecked")
    Map<String, Long>[] report = new Map[1];
    sessions.compute(
        sessionId,
        (id, current) -> {
          Audience a = current == null ? new Audience() : current;
          synchronized (a) {
            if (a.local.isEmpty()) {
              a.since = now;
            }
            a.change(now, language, delta);
            if (!a.local.isEmpty()) {
              return a;
            }
            report[0] = a.take(now);
            return null; // the node's last listener left: reported now, forgotten
          }
        });
    if (report[0] != null && !report[0].isEmpty()) {
      summaries.listenerTime(sessionId, report[0]);
    }
  }

  private void peaks(String sessionId) {
    counts.counts(sessionId).onSuccess(c -> summaries.counts(sessionId, c));
  }

  /** Reports every session's listener time not yet reported. */
  public void flush() {
    long now = clock.millis();
    sessions.forEach(
        (sessionId, a) -> {
          Map<String, Long> report;
          synchronized (a) {
            report = a.take(now);
          }
          if (!report.isEmpty()) {
            summaries.listenerTime(sessionId, report);
          }
        });
  }

  @Override
  public Future<Boolean> tryAdd(String sessionId, String language, int capacity) {
    return counts
        .tryAdd(sessionId, language, capacity)
        .onSuccess(
            added -> {
              if (added) {
                change(sessionId, language, 1);
                peaks(sessionId);
              }
            });
  }

  @Override
  public Future<Void> remove(String sessionId, String language) {
    change(sessionId, language, -1);
    return counts.remove(sessionId, language);
  }

  @Override
  public Future<Void> move(String sessionId, String fromLanguage, String toLanguage) {
    return counts
        .move(sessionId, fromLanguage, toLanguage)
        .onSuccess(
            v -> {
              change(sessionId, toLanguage, 1);
              change(sessionId, fromLanguage, -1);
              peaks(sessionId);
            });
  }

  @Override
  public Future<Map<String, Integer>> counts(String sessionId) {
    return counts.counts(sessionId);
  }

  @Override
  public Future<Void> clear(String sessionId) {
    return counts.clear(sessionId);
  }

  @Override
  public void onDemandChange(DemandListener listener) {
    counts.onDemandChange(listener);
  }
}
