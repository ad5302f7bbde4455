package org.pentecost.server.session;

import io.vertx.core.Future;
import java.util.Map;

/**
 * Live listener counts per session and language, with an atomic capacity check.
 *
 * <p>Contract, for every implementation (checked by {@code ListenerCountStoreContract}):
 *
 * <ul>
 *   <li>Methods never block the calling thread and never lose an update under concurrency.
 *   <li>{@link #tryAdd} is atomic: the session's total never exceeds the capacity, however many
 *       callers race (across nodes, for shared stores).
 *   <li>Counts never go below zero: a {@link #remove} without a matching add is ignored.
 *   <li>Counts are live state, not history: an embedded store starts empty after a restart, since
 *       the connections they counted are gone.
 *   <li>Demand ({@link #onDemandChange}): a language whose total across every node goes from 0 to
 *       some or from some to 0 by a change this store applies is reported once, by this store, from
 *       the same atomic step that applied the change: a node reports only what its own change did,
 *       so in a cluster each transition is reported by exactly one node.
 * </ul>
 */
public interface ListenerCountStore {

  /**
   * Adds one listener of {@code language} to the session if its total is below {@code capacity}.
   *
   * @return true if added, false if the session is full
   */
  Future<Boolean> tryAdd(String sessionId, String language, int capacity);

  /** Removes one listener of {@code language}; ignored when that count is already zero. */
  Future<Void> remove(String sessionId, String language);

  /** Moves one listener between languages without the total changing at any moment. */
  Future<Void> move(String sessionId, String fromLanguage, String toLanguage);

  /** Current non-zero counts by language (empty map when nobody listens). */
  Future<Map<String, Integer>> counts(String sessionId);

  /**
   * Forgets every count of the session (when it ends or expires). Reports no demand change: the
   * session's end says it all.
   */
  Future<Void> clear(String sessionId);

  /**
   * Sets who hears demand changes (one listener; the last one set wins). Changes applied before are
   * not reported.
   */
  void onDemandChange(DemandListener listener);

  /** Hears the languages of a session that gained their first or lost their last listener. */
  @FunctionalInterface
  interface DemandListener {
    /** Nobody to hear: changes are not reported. */
    DemandListener NONE = (sessionId, language, demanded) -> {};

    /**
     * {@code demanded}: the session's first listener of {@code language} across the cluster
     * arrived; otherwise its last one left. Called from any thread; must not block.
     */
    void changed(String sessionId, String language, boolean demanded);
  }
}
