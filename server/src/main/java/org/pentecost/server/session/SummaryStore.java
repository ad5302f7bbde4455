package org.pentecost.server.session;

import io.vertx.core.Future;
import java.util.Map;

/**
 * The figures of each session record kept for its speaker's summary, as named fields: numbers that
 * nodes add to (listener time), numbers raised to the highest any node saw (peaks, frames), and
 * text set (formats).
 *
 * <p>Contract, for every implementation (checked by {@code SummaryStoreContract}): one {@link
 * #update} is applied whole and atomically, across nodes for shared stores, so that additions from
 * several nodes add up and a maximum never goes down; the fields go when the session's {@code
 * expiresAt} passes (by themselves, or with {@link #purgeExpired}).
 */
public interface SummaryStore {

  /** Changes to a summary: fields to add to, to raise to at least, and to set. */
  record Change(Map<String, Long> add, Map<String, Long> max, Map<String, String> set) {
    public boolean isEmpty() {
      return add.isEmpty() && max.isEmpty() && set.isEmpty();
    }
  }

  /** Applies {@code change} to the summary of the session {@code (id, createdAt)}. */
  Future<Void> update(String sessionId, long createdAt, Change change, long expiresAt);

  /** Every field of the summary (empty when nothing was recorded). */
  Future<Map<String, String>> read(String sessionId, long createdAt);

  /** Deletes the summaries of sessions expired at {@code now}; returns how many. */
  Future<Integer> purgeExpired(long now);
}
